package io.epruntime.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ep run} for real: four rank JVMs started by the CLI's process launcher (cpu backend, free
 * ports), a client, 20 seeded steps verified against the CPU reference, the JSON summary. Then the
 * launcher's failure path: a world that cannot be Ready in time ends with exit 3 and no rank left.
 */
@Tag("system")
class EpRunEndToEndTest {
  private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]+)");

  /** The flat fields of a JSON line (values as text, strings unquoted). */
  static Map<String, String> fields(String json) {
    assertTrue(json.startsWith("{") && json.endsWith("}"), json);
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = FIELD.matcher(json);
    while (m.find()) {
      String v = m.group(2);
      out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
    }
    return out;
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void fourRanksTwentyStepsAllVerified(@TempDir Path runDir) throws Exception {
    CliResult r = CliResult.run("run", "--ranks", "4", "--steps", "20", "--backend", "cpu", "--json", "--progress", "none",
        "--run-dir", runDir.toString());
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, String> f = fields(r.jsonLine());
    assertEquals("20", f.get("steps"), r.toString());
    assertEquals("20", f.get("verified"), r.toString());
    assertEquals("0", f.get("mismatches"), r.toString());
    assertEquals("0", f.get("unverified"), r.toString());
    assertEquals("true", f.get("ok"), r.toString());
    assertEquals("cpu", f.get("backend"));
    double p50 = Double.parseDouble(f.get("p50_us"));
    double p99 = Double.parseDouble(f.get("p99_us"));
    assertTrue(p50 > 0 && p99 >= p50, r.toString());
    // The default auto mode mixes both kinds of step.
    assertEquals(20, Integer.parseInt(f.get("ht_steps")) + Integer.parseInt(f.get("ll_steps")), r.toString());
    assertTrue(Integer.parseInt(f.get("ht_steps")) > 0 && Integer.parseInt(f.get("ll_steps")) > 0, r.toString());
    // The table went to stderr, and every rank logged into the run directory.
    assertTrue(r.err().contains("result       OK: every step matched the CPU reference"), r.toString());
    try (Stream<Path> logs = Files.list(runDir)) {
      assertEquals(4, logs.filter(p -> p.getFileName().toString().matches("rank-[0-3]\\.log")).count());
    }
    for (int rank = 0; rank < 4; rank++) {
      assertTrue(Files.readString(runDir.resolve("rank-" + rank + ".log")).contains("ep node: rank " + rank + ": world Ready, generation"),
          "rank " + rank + " logged that the world is Ready");
    }
    assertNoRankProcessLeft();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aWorldNotReadyInTimeIsExitThreeAndLeavesNoRank(@TempDir Path runDir) {
    CliResult r = CliResult.run("run", "--ranks", "2", "--experts", "4", "--steps", "5", "--backend", "cpu", "--ready-timeout", "1",
        "--progress", "none", "--run-dir", runDir.toString());
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.err().contains("rank logs in " + runDir), r.toString());
    assertNoRankProcessLeft();
  }

  /** No child of this JVM runs the rank main any more: ep run stopped them all before returning. */
  private static void assertNoRankProcessLeft() {
    long ranks = ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("io.epruntime.cli.EpCli node")).orElse(false))
        .count();
    assertEquals(0, ranks, "rank processes still alive");
  }
}
