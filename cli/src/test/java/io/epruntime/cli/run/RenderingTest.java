package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RenderingTest {

  private static RunSnapshot snapshot(int planned, int completed, int mismatches, int failed) {
    return new RunSnapshot(planned, completed, completed - mismatches, mismatches, failed, 1, completed / 2, completed - completed / 2,
        2_100_000, 4_560_000, 7_890_000, 2_000_000_000L, 1_000_000_000L, 600, 1, 1, 4_000_000_000L,
        mismatches > 0 ? "step 7 (seq 8, HT, generation 1): rank 2 token 5 channel 33: got 1.5, expected 1.25" : null);
  }

  @Test
  void barShowsFillCountsRateLatencyAndErrors() {
    assertEquals("[############............]  50/100 steps  12.5 steps/s  p50 2.10 ms  errors 0",
        ProgressLine.bar(snapshot(100, 50, 0, 0)));
    assertEquals("[########################] 100/100 steps  24.8 steps/s  p50 2.10 ms  errors 1",
        ProgressLine.bar(snapshot(100, 99, 0, 1)));
  }

  @Test
  void plainLineIsCommaSeparated() {
    assertEquals("ep run: 50/100 steps, 12.5 steps/s, p50 2.10 ms, errors 2", ProgressLine.plain(snapshot(100, 50, 2, 0)));
    assertEquals("ep run: 5/100000 steps, 1.3 steps/s, p50 2.10 ms, errors 0", ProgressLine.plain(snapshot(100_000, 5, 0, 0)));
  }

  @Test
  void summaryAlignsRowsAndNamesTheFirstProblem() {
    String table = SummaryTable.render("ep run: test", snapshot(10, 10, 1, 0), "target/ep-run/x");
    assertTrue(table.contains("\n  mismatches     1\n"), table);
    assertTrue(table.contains("  latency        p50 2.10 ms   p99 4.56 ms   max 7.89 ms\n"), table);
    assertTrue(table.contains("  dispatch       500.00 MB/s (2000000000 bytes received, all ranks)"), table);
    assertTrue(table.contains("  first problem  step 7 (seq 8, HT, generation 1): rank 2 token 5"), table);
    assertTrue(table.contains("  logs           target/ep-run/x\n"), table);
    assertTrue(table.contains("FAILED"), table);
  }

  @Test
  void summaryOfCleanRunSaysOk() {
    String table = SummaryTable.render("t", snapshot(10, 10, 0, 0), null);
    assertTrue(table.contains("  result       OK: every step matched the CPU reference"), table);
  }

  @Test
  void latencyUnits() {
    assertEquals("850 us", Units.latency(850_000));
    assertEquals("1.25 ms", Units.latency(1_250_000));
    assertEquals("2.40 s", Units.latency(2_400_000_000L));
    assertEquals("512.0 KB/s", Units.bandwidth(512_000));
    assertEquals("3.20 MB/s", Units.bandwidth(3_200_000));
    assertEquals("12.50 GB/s", Units.bandwidth(12.5e9));
  }

  @Test
  void jsonLineHasTheDocumentedFieldsAndEscapes() {
    String json = JsonLine.of(snapshot(10, 10, 0, 0)).put("run_dir", "a\"b\\c\n").toString();
    assertTrue(json.startsWith("{\"steps\":10,\"verified\":10,\"mismatches\":0,\"unverified\":0,"), json);
    assertTrue(json.contains("\"p50_us\":2100.00,"), json);
    assertTrue(json.contains("\"p99_us\":4560.00,"), json);
    assertTrue(json.contains("\"ok\":true"), json);
    assertTrue(json.endsWith("\"run_dir\":\"a\\\"b\\\\c\\n\"}"), json);
    assertEquals(-1, json.indexOf('\n'));
  }
}
