package io.epruntime.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunStatsTest {

  private static StepRecord step(long seq, long generation, boolean ll, int attempts, long latencyMicros) {
    return new StepRecord(seq, generation, ll, attempts, latencyMicros * 1_000, 1_000, 500, 40, Map.of());
  }

  @Test
  void percentilesUseNearestRank() {
    RunStats stats = new RunStats(100, 0);
    for (int i = 100; i >= 1; i--) {
      stats.recordResult(step(i, 1, false, 1, i), true, null);
    }
    RunSnapshot s = stats.snapshot(2_000_000_000L, true);
    assertEquals(50_000, s.p50Nanos());
    assertEquals(99_000, s.p99Nanos());
    assertEquals(100_000, s.maxNanos());
  }

  @Test
  void countsModesRetriesGenerationsAndBytes() {
    RunStats stats = new RunStats(4, 0);
    stats.recordResult(step(1, 1, false, 1, 10), true, null);
    stats.recordResult(step(2, 1, true, 1, 10), true, null);
    stats.recordResult(step(3, 2, true, 2, 10), false, "step 2: rank 1 token 0 channel 3: got 1.0, expected 2.0");
    stats.recordFailure(3, "RetriableStepException: world changed");
    stats.finish(1_000_000_000L);
    RunSnapshot s = stats.snapshot(5_000_000_000L, true);
    assertEquals(3, s.completed());
    assertEquals(2, s.verified());
    assertEquals(1, s.mismatches());
    assertEquals(1, s.failed());
    assertEquals(1, s.unverified(), "the failed step; the mismatch was verified as wrong");
    assertEquals(1, s.retried());
    assertEquals(1, s.htSteps());
    assertEquals(2, s.llSteps());
    assertEquals(2, s.generations());
    assertEquals(2, s.lastGeneration());
    assertEquals(3_000, s.dispatchBytes());
    assertEquals(120, s.tokensPerSecond(), 1e-9);
    // The step phase ended at 1 s, whatever the time of the snapshot.
    assertEquals(3e-6, s.dispatchGbPerSecond(), 1e-12);
    assertTrue(s.firstProblem().startsWith("step 2: rank 1"));
    assertFalse(s.allVerified());
  }

  @Test
  void allVerifiedOnlyWhenEveryPlannedStepMatched() {
    RunStats stats = new RunStats(2, 0);
    stats.recordResult(step(1, 1, false, 1, 10), true, null);
    assertFalse(stats.snapshot(1, true).allVerified(), "a step never came back");
    stats.recordResult(step(2, 1, false, 1, 10), true, null);
    assertTrue(stats.snapshot(1, true).allVerified());
  }

  @Test
  void emptyRunHasZeroPercentiles() {
    RunSnapshot s = new RunStats(5, 0).snapshot(1, true);
    assertEquals(0, s.p50Nanos());
    assertEquals(5, s.unverified());
  }
}
