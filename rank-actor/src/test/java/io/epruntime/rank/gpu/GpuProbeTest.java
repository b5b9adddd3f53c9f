package io.epruntime.rank.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The probe never throws and gives one answer per JVM; where there is no GPU it says why. */
class GpuProbeTest {

  @Test
  void probeAnswersOnceAndExplains() {
    GpuProbe.Result first = GpuProbe.probe();
    assertSame(first, GpuProbe.probe());
    if (first.available()) {
      assertTrue(first.deviceCount() >= 1);
      assertNotNull(first.description());
    } else {
      assertEquals(0, first.deviceCount());
      assertNotNull(first.reason());
      assertTrue(first.toString().startsWith("no GPU: "), first.toString());
    }
  }
}
