package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.epruntime.protocol.ep.StepTrace;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepHopsTest {

  /** A step whose trace puts {@code micros} in every hop but dispatch, which was not measured. */
  private static StepRecord step(long seq, long micros) {
    long t = micros * 1_000;
    StepTrace trace = new StepTrace(1, 1 + t, 1 + 2 * t, 1 + 3 * t, 1 + 4 * t, 1 + 7 * t, t, t);
    Map<String, Long> hops = new java.util.LinkedHashMap<>(trace.hops(1 + 8 * t));
    hops.put("dispatch", -1L);
    return new StepRecord(seq, 1, false, 1, 8 * t, 0, 0, 1, hops);
  }

  @Test
  void everyHopHasItsPercentilesAndUnmeasuredHopsAreLeftOut() {
    StepHops hops = new StepHops();
    for (int i = 1; i <= 100; i++) {
      hops.add(step(i, i));
    }
    for (String hop : StepTrace.HOPS) {
      if (hop.equals("dispatch")) {
        assertEquals(0, hops.percentiles(hop).length);
      } else {
        assertArrayEquals(new long[] {50_000, 99_000, 100_000}, hops.percentiles(hop), hop);
      }
    }
    assertTrue(hops.json().contains("\"experts\":{\"p50_us\":50.0,\"p99_us\":99.0,\"max_us\":100.0}"), hops.json());
    assertTrue(!hops.json().contains("dispatch"), hops.json());
  }

  @Test
  void theTableListsTheSlowestStepsFirst() {
    StepHops hops = new StepHops();
    for (int i = 1; i <= 20; i++) {
      hops.add(step(i, i));
    }
    String table = hops.render();
    int s20 = table.indexOf("seq 20 ");
    int s16 = table.indexOf("seq 16 ");
    assertTrue(s20 > 0 && s16 > s20, table);
    assertEquals(-1, table.indexOf("seq 15 "), table);
    assertTrue(table.contains("dispatch=-"), table);
  }

  @Test
  void aTraceSplitsTheBackendsTimeIntoDispatchExpertsAndCombine() {
    StepTrace t = new StepTrace(100, 150, 160, 200, 300, 1300, 400, 350);
    Map<String, Long> hops = t.hops(1500);
    assertEquals(Map.of("client_to_coordinator", 50L, "sequencing", 10L, "coordinator_to_rank", 40L, "rank_wait", 100L,
        "dispatch", 400L, "experts", 250L, "combine", 350L, "rank_to_client", 200L), hops);
    assertEquals(StepTrace.HOPS, java.util.List.copyOf(hops.keySet()));
    assertEquals(-1L, StepTrace.NONE.hops(5).get("sequencing"));
  }
}
