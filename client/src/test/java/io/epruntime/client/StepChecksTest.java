package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.engine.RankInput;
import io.epruntime.engine.Workloads;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.protocol.ep.EpConfig;
import io.epruntime.protocol.ep.ExpertKernelSpec;
import io.epruntime.protocol.ep.Routing;
import io.epruntime.protocol.ep.StepMode;
import io.epruntime.protocol.tensor.HiddenStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the client refuses before sending anything, and how its settings are checked. */
class StepChecksTest {
  private static final EpConfig WORLD = new EpConfig(2, 4, 128, 2, 4, 1, DType.BF16);

  private static StepRequest request(int t0, int t1, StepMode mode) {
    List<RankInput> in = Workloads.random(WORLD, new int[] {t0, t1}, 3);
    return new StepRequest(List.of(in.get(0).x(), in.get(1).x()), List.of(in.get(0).routing(), in.get(1).routing()),
        ExpertKernelSpec.scale(), mode);
  }

  private static EpArgumentException refused(StepRequest r) {
    return assertThrows(EpArgumentException.class, () -> StepChecks.validate(WORLD, r));
  }

  @Test
  void aGoodRequestPasses() {
    StepChecks.validate(WORLD, request(3, 5, null));
    StepChecks.validate(WORLD, request(3, 4, StepMode.LL));
  }

  @Test
  void shapeDtypeCountAndModeErrorsNameTheField() {
    StepRequest good = request(3, 5, null);
    List<HiddenStates> x = new ArrayList<>(good.x());
    x.set(1, HiddenStates.zeros(DType.BF16, 5, 64));
    EpArgumentException hidden = refused(new StepRequest(x, good.routing(), good.kernel(), null));
    assertEquals("x.hidden[rank 1]", hidden.argument());
    assertTrue(hidden.getMessage().contains("ep.hidden = 128"), hidden.getMessage());

    x.set(1, HiddenStates.zeros(DType.FP32, 5, 128));
    assertEquals("x.dtype[rank 1]", refused(new StepRequest(x, good.routing(), good.kernel(), null)).argument());

    assertEquals("x", refused(new StepRequest(good.x().subList(0, 1), good.routing(), good.kernel(), null)).argument());
    assertEquals("kernel", refused(new StepRequest(good.x(), good.routing(), null, null)).argument());

    List<Routing> routing = new ArrayList<>(good.routing());
    routing.set(0, new Routing(2, 2, new long[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1}));
    assertEquals("topk_idx[rank 0]", refused(new StepRequest(good.x(), routing, good.kernel(), null)).argument());

    assertEquals("mode", refused(request(3, 5, StepMode.LL)).argument(), "5 tokens exceed the LL capacity of 4");
  }

  @Test
  void settingsRefuseBadValuesNamingThem() {
    assertEquals("gateways", assertThrows(InvalidArgumentException.class, () -> ClientSettings.of(List.of("nohost"))).argument());
    assertEquals("gateways", assertThrows(InvalidArgumentException.class, () -> ClientSettings.of(List.of("h:70000"))).argument());
    assertEquals("maxInFlight", assertThrows(InvalidArgumentException.class,
        () -> new ClientSettings(List.of("h:1"), Duration.ofSeconds(1), Duration.ofSeconds(1), 0, 0)).argument());
    assertEquals(3, ClientSettings.of(List.of("h:1")).maxRetries());
  }

  @Test
  void nanOrInfinityInXIsRefusedNamingRankTokenAndChannelUnlessTheCheckIsOff() {
    StepRequest good = request(3, 5, null);
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      List<HiddenStates> x = new ArrayList<>(good.x());
      HiddenStates copy = HiddenStates.of(good.x().get(1).x().copy());
      copy.x().set(4, 17, bad);
      x.set(1, copy);
      StepRequest withBad = new StepRequest(x, good.routing(), good.kernel(), null);
      EpArgumentException e = refused(withBad);
      assertEquals("x[rank 1]", e.argument());
      assertTrue(e.getMessage().contains("x[rank 1][token 4][channel 17] = " + bad) && e.getMessage().contains("ep.client.check-finite"),
          e.getMessage());
      StepChecks.validate(WORLD, withBad, false);
    }
  }

  @Test
  void theFiniteCheckIsOnByDefault() {
    assertTrue(ClientSettings.of(List.of("h:1")).checkFinite());
    assertTrue(ClientSettings.fromConfig(com.typesafe.config.ConfigFactory.load()).checkFinite());
  }
}
