package io.epruntime.tests.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.epruntime.chaos.ChaosRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short chaos schedule (every fault kind once) against four rank processes in their own
 * network namespaces under two verifying clients; the history is then checked ({@link ChaosRun}).
 * Replay a run with {@code -Dep.chaos.seed=<seed>} (a failure prints it); a longer one with
 * {@code -Dep.chaos.rounds=<n>}, or {@code ep chaos}; {@code -Dep.chaos.report=<file>} writes the report.
 */
@Tag("cluster")
class ChaosTest {
  static final long SEED = Long.getLong("ep.chaos.seed", System.currentTimeMillis() % 100_000);
  static final int ROUNDS = Integer.getInteger("ep.chaos.rounds", 1);

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void underEveryFaultKindEveryStepEndsRightOrFailsUnapplied() throws Exception {
    String missing = ChaosRun.unavailable();
    assumeTrue(missing == null, () -> "no network namespaces here: " + missing);
    System.out.println("chaos seed " + SEED + ", rounds " + ROUNDS + " (replay: -Dep.chaos.seed=" + SEED + ")");
    String report = System.getProperty("ep.chaos.report");
    ChaosRun.Outcome outcome = ChaosRun.run(new ChaosRun.Options(SEED, ROUNDS, Path.of("target", "chaos", Long.toString(SEED)),
        report == null ? null : Path.of(report), "mvn -B -o test -pl tests -Dtest=ChaosTest -Dep.chaos.seed=" + SEED
        + " -Dep.chaos.rounds=" + ROUNDS + (report == null ? "" : " -Dep.chaos.report=" + report)));
    System.out.println("chaos seed " + SEED + ": " + outcome.faults());
    List<String> problems = outcome.problems();
    assertTrue(problems.isEmpty(), () -> "seed " + SEED + " (history " + outcome.history().toAbsolutePath() + "): " + problems);
  }
}
