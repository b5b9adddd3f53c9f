package io.epruntime.cli.run;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * What a run has done so far: counts, latencies, bytes and generations. Step completions arrive on
 * client callback threads while the progress line reads snapshots from its timer thread, so every
 * method is synchronized; a step costs one short critical section.
 */
public final class RunStats {
  /** Live percentiles look at the latest this-many steps, so a long run's progress line stays cheap. */
  private static final int LIVE_WINDOW = 4096;

  private final int plannedSteps;
  private final long startNanos;
  private long[] latencies = new long[256];
  private int completed;
  private int verified;
  private int mismatches;
  private int failed;
  private int retried;
  private int htSteps;
  private int llSteps;
  private long dispatchBytes;
  private long combineBytes;
  private long tokens;
  private final TreeSet<Long> generations = new TreeSet<>();
  private final StepHops hops = new StepHops();
  private String firstProblem;
  private long endNanos = -1;

  public RunStats(int plannedSteps, long startNanos) {
    this.plannedSteps = plannedSteps;
    this.startNanos = startNanos;
  }

  /** A step came back and was checked against the reference. */
  public synchronized void recordResult(StepRecord step, boolean matches, String mismatchDetail) {
    if (completed == latencies.length) {
      latencies = Arrays.copyOf(latencies, completed * 2);
    }
    latencies[completed++] = step.latencyNanos();
    if (matches) {
      verified++;
    } else {
      mismatches++;
      noteProblem(mismatchDetail);
    }
    if (step.attempts() > 1) {
      retried++;
    }
    if (step.lowLatency()) {
      llSteps++;
    } else {
      htSteps++;
    }
    dispatchBytes += step.dispatchBytes();
    combineBytes += step.combineBytes();
    tokens += step.tokens();
    generations.add(step.generation());
    hops.add(step);
  }

  /** Where the completed steps' time went, hop by hop. */
  public StepHops hops() {
    return hops;
  }

  /** A step failed for good (retries exhausted, time-out, rejected): it counts as unverified. */
  public synchronized void recordFailure(long seqHint, String reason) {
    failed++;
    noteProblem("step " + seqHint + " failed: " + reason);
  }

  /** Marks the end of the step phase; throughput figures use the time up to here. */
  public synchronized void finish(long nowNanos) {
    if (endNanos < 0) {
      endNanos = nowNanos;
    }
  }

  private void noteProblem(String detail) {
    if (firstProblem == null) {
      firstProblem = detail;
    }
  }

  /** An immutable view for rendering; {@code nowNanos} is used while the run is still going. */
  public synchronized RunSnapshot snapshot(long nowNanos, boolean allSteps) {
    long end = endNanos >= 0 ? endNanos : nowNanos;
    int from = allSteps ? 0 : Math.max(0, completed - LIVE_WINDOW);
    long[] window = Arrays.copyOfRange(latencies, from, completed);
    Arrays.sort(window);
    return new RunSnapshot(
        plannedSteps,
        completed,
        verified,
        mismatches,
        failed,
        retried,
        htSteps,
        llSteps,
        percentile(window, 50),
        percentile(window, 99),
        window.length == 0 ? 0 : window[window.length - 1],
        dispatchBytes,
        combineBytes,
        tokens,
        generations.size(),
        generations.isEmpty() ? -1 : generations.last(),
        Math.max(1, end - startNanos),
        firstProblem);
  }

  /** Every latency so far, ascending, in nanoseconds (for distribution charts). */
  public synchronized long[] sortedLatencies() {
    long[] all = Arrays.copyOf(latencies, completed);
    Arrays.sort(all);
    return all;
  }

  /** Nearest-rank percentile of a sorted array; 0 when empty. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
