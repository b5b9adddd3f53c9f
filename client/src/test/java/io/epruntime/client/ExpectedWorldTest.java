package io.epruntime.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.DType;
import io.epruntime.protocol.ep.EpConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which world keys a client expects, and how a cluster's world that differs is named. */
class ExpectedWorldTest {
  private static final EpConfig CLUSTER = new EpConfig(4, 8, 128, 2, 16, 1, DType.BF16);

  /** {@code overrides} over the reference.conf defaults, as a client's ConfigFactory.load() would see them. */
  private static Config withReference(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void referenceDefaultsAreNotExpectations() {
    assertTrue(ExpectedWorld.fromConfig(ConfigFactory.defaultReference()).isAny());
    assertTrue(ClientSettings.fromConfig(ConfigFactory.defaultReference()).expectedWorld().isAny());
    assertTrue(ClientSettings.of(List.of("h:1")).expectedWorld().isAny());
  }

  @Test
  void explicitKeysAreExpectedAndTheRestAdopted() {
    ExpectedWorld e = ExpectedWorld.fromConfig(withReference("ep { hidden = 256, dtype = fp32 }"));
    assertEquals(new ExpectedWorld(null, null, 256, null, null, null, DType.FP32), e);
    assertEquals(ClientSettings.fromConfig(withReference("ep.hidden = 256, ep.dtype = fp32")).expectedWorld(), e);
    assertEquals(ExpectedWorld.of(new EpConfig(4, 8, 256, 2, 16, 1, DType.FP32)), e.orElse(CLUSTER));
  }

  @Test
  void everyDifferingKeyIsNamedWithBothValues() {
    assertEquals(List.of(), ExpectedWorld.ANY.differences(CLUSTER));
    assertEquals(List.of(), ExpectedWorld.of(CLUSTER).differences(CLUSTER));
    ExpectedWorld e = ExpectedWorld.fromConfig(withReference("ep { hidden = 256, experts = 8, topk = 4, dtype = fp32 }"));
    assertEquals(List.of(
        "client ep.hidden = 256 but the cluster runs ep.hidden = 128",
        "client ep.topk = 4 but the cluster runs ep.topk = 2",
        "client ep.dtype = fp32 but the cluster runs ep.dtype = bf16"), e.differences(CLUSTER));
    EpConfig other = new EpConfig(8, 16, 128, 2, 0, 16, DType.BF16);
    assertEquals(List.of(
        "client ep.world-size = 4 but the cluster runs ep.world-size = 8",
        "client ep.experts = 8 but the cluster runs ep.experts = 16",
        "client ep.ll-max-tokens-per-rank = 16 but the cluster runs ep.ll-max-tokens-per-rank = 0",
        "client ep.alignment = 1 but the cluster runs ep.alignment = 16"), ExpectedWorld.of(CLUSTER).differences(other));
  }

  @Test
  void mismatchMessageListsEveryDifference() {
    List<String> d = ExpectedWorld.fromConfig(withReference("ep { hidden = 256, experts = 16 }")).differences(CLUSTER);
    WorldMismatchException e = new WorldMismatchException("refused", d);
    assertEquals("refused: client ep.experts = 16 but the cluster runs ep.experts = 8; "
        + "client ep.hidden = 256 but the cluster runs ep.hidden = 128", e.getMessage());
    assertEquals(d, e.differences());
  }

  @Test
  void badExpectationsAreRefusedNamingTheKey() {
    assertEquals("ep.hidden", assertThrows(InvalidArgumentException.class,
        () -> ExpectedWorld.fromConfig(withReference("ep.hidden = wide"))).argument());
    assertEquals("ep.dtype", assertThrows(InvalidArgumentException.class,
        () -> ExpectedWorld.fromConfig(withReference("ep.dtype = int4"))).argument());
    assertEquals("ep.topk", assertThrows(InvalidArgumentException.class,
        () -> ExpectedWorld.fromConfig(withReference("ep.topk = 0"))).argument());
    assertNull(ExpectedWorld.fromConfig(withReference("")).hidden());
    assertEquals("expectedWorld", assertThrows(InvalidArgumentException.class,
        () -> ClientSettings.of(List.of("h:1")).withExpectedWorld(null)).argument());
  }
}
