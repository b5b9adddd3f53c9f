package io.epruntime.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker catches each kind of violation in a history written by hand, and passes a clean one. */
class HistoryCheckerTest {

  private static HistoryChecker.Result check(Path dir, String... lines) throws IOException {
    Path f = dir.resolve("h.jsonl");
    Files.write(f, List.of(lines));
    return HistoryChecker.check(f, 60_000);
  }

  private static String invoke(long t, int client, long req) {
    return "{\"t_ms\":" + t + ",\"type\":\"invoke\",\"client\":" + client + ",\"req\":" + req + "}";
  }

  private static String ok(long t, int client, long req, long generation, long seq, boolean right) {
    return "{\"t_ms\":" + t + ",\"type\":\"ok\",\"client\":" + client + ",\"req\":" + req + ",\"generation\":" + generation
        + ",\"seq\":" + seq + ",\"attempts\":1,\"right\":" + right + "}";
  }

  private static String fault(long t, String kind, String phase) {
    return "{\"t_ms\":" + t + ",\"type\":\"fault\",\"kind\":\"" + kind + "\",\"phase\":\"" + phase + "\"}";
  }

  @Test
  void aCleanHistoryPassesAndGivesTheOutageAsRecovery(@TempDir Path dir) throws IOException {
    HistoryChecker.Result r = check(dir, invoke(0, 0, 0), ok(5, 0, 0, 1, 1, true), fault(10, "kill", "start"), invoke(11, 0, 1),
        "{\"t_ms\":4000,\"type\":\"fail\",\"client\":0,\"req\":1,\"error\":\"retriable\"}", invoke(4001, 0, 2),
        ok(7000, 0, 2, 2, 9, true), fault(7500, "kill", "end"), invoke(7600, 0, 3), ok(7700, 0, 3, 2, 10, true));
    assertEquals(List.of(), r.violations());
    HistoryChecker.KindStats kill = r.kinds().get("kill");
    assertEquals(3, kill.steps());
    assertEquals(2, kill.ok());
    assertEquals(6.99, kill.recoveries().get(0), 1e-9, "steps stopped at the fault and flowed again at 7000 ms");
  }

  @Test
  void eachViolationIsReported(@TempDir Path dir) throws IOException {
    HistoryChecker.Result r = check(dir,
        invoke(0, 0, 0), ok(5, 0, 0, 2, 7, false),          // wrong
        invoke(6, 0, 1),                                     // lost: never ends
        invoke(7, 1, 0), ok(9, 1, 0, 1, 7, true),           // seq 7 twice; generation 1 after 2 is another client
        invoke(10, 1, 1), ok(12, 1, 1, 2, 3, true),         // generation 2's seq 3 lies below generation 1's 7
        invoke(13, 0, 2), ok(14, 0, 2, 1, 20, true),        // client 0 goes back from generation 2 to 1
        ok(15, 0, 2, 1, 21, true));                          // ended twice
    String all = String.join("\n", r.violations());
    assertTrue(all.contains("wrong: step 0/0"), all);
    assertTrue(all.contains("lost: step 0/1"), all);
    assertTrue(all.contains("sequence number 7 given to steps"), all);
    assertTrue(all.contains("overlap"), all);
    assertTrue(all.contains("client 0 got generation 1 after 2"), all);
    assertTrue(all.contains("step 0/2 ended twice"), all);
  }
}
