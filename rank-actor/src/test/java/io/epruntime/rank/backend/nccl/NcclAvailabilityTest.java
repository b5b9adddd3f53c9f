package io.epruntime.rank.backend.nccl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.typesafe.config.ConfigFactory;
import io.epruntime.protocol.EpArgumentException;
import io.epruntime.rank.BackendFactory;
import io.epruntime.rank.gpu.GpuProbe;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a machine without a GPU sees: a reason, a refusal for nccl, and settings checked by key. */
class NcclAvailabilityTest {

  @Test
  void withoutAGpuTheBackendSaysWhyAndAutoFallsBack() {
    assumeFalse(GpuProbe.probe().available(), "this machine has a GPU; the GPU suite covers it");
    NcclAvailability a = NcclBackend.availability();
    assertFalse(a.available());
    assertTrue(a.reason().startsWith("no GPU: "), a.reason());
    String why = BackendFactory.ncclUnavailability();
    assertTrue(why != null && why.contains("no GPU"), String.valueOf(why));
    EpArgumentException e = assertThrows(EpArgumentException.class, () -> NcclBackend.open(0, NcclSettings.defaults()));
    assertEquals("ep.backend", e.argument());
    assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
  }

  @Test
  void settingsComeFromConfigAndBadValuesNameTheKey() {
    NcclSettings s = NcclSettings.fromConfig(ConfigFactory.parseMap(Map.of(
        "ep.gpu.device", 1, "ep.gpu.peer-timeout", "750ms", "ep.gpu.health-interval", "250ms",
        "ep.gpu.self-via-nccl", true)));
    assertEquals(1, s.device());
    assertEquals(Duration.ofMillis(750), s.peerTimeout());
    assertEquals(Duration.ofMillis(250), s.healthInterval());
    assertTrue(s.selfViaNccl());
    assertEquals(NcclSettings.defaults(), NcclSettings.fromConfig(ConfigFactory.empty()));
    EpArgumentException e = assertThrows(EpArgumentException.class,
        () -> NcclSettings.fromConfig(ConfigFactory.parseMap(Map.of("ep.gpu.peer-timeout", "0s"))));
    assertEquals("ep.gpu.peer-timeout", e.argument());
    // The HT capacity is the world's now: a node-level key is refused, naming its replacement.
    EpArgumentException moved = assertThrows(EpArgumentException.class,
        () -> NcclSettings.fromConfig(ConfigFactory.parseMap(Map.of("ep.gpu.max-tokens-per-rank", 512))));
    assertEquals("ep.gpu.max-tokens-per-rank", moved.argument());
    assertTrue(moved.getMessage().contains("ep.max-tokens-per-rank"), moved.getMessage());
  }
}
