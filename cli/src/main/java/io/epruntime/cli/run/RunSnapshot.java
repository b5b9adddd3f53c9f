package io.epruntime.cli.run;

/**
 * A consistent view of a run's statistics at one instant, for the progress line, the summary table
 * and the JSON line. Latencies in nanoseconds; {@code elapsedNanos} is the step phase so far.
 */
public record RunSnapshot(
    int plannedSteps,
    int completed,
    int verified,
    int mismatches,
    int failed,
    int retried,
    int htSteps,
    int llSteps,
    long p50Nanos,
    long p99Nanos,
    long maxNanos,
    long dispatchBytes,
    long combineBytes,
    long tokens,
    int generations,
    long lastGeneration,
    long elapsedNanos,
    String firstProblem) {

  /** Steps that never produced a verified or mismatching result (failed, or never came back). */
  public int unverified() {
    return plannedSteps - verified - mismatches;
  }

  /** Steps that came back, with a result or a final failure. */
  public int completedOrFailed() {
    return completed + failed;
  }

  /** Steps with a problem of any kind; the progress line's "errors". */
  public int errors() {
    return mismatches + failed;
  }

  /** True when every planned step came back and matched the reference. */
  public boolean allVerified() {
    return verified == plannedSteps && mismatches == 0 && failed == 0;
  }

  public double elapsedSeconds() {
    return elapsedNanos / 1e9;
  }

  public double stepsPerSecond() {
    return completed / elapsedSeconds();
  }

  /** Dispatch bytes of all ranks over the step phase's wall time (end-to-end algorithm bandwidth). */
  public double dispatchGbPerSecond() {
    return dispatchBytes / 1e9 / elapsedSeconds();
  }

  /** Tokens of all ranks in completed steps per second of the step phase. */
  public double tokensPerSecond() {
    return tokens / elapsedSeconds();
  }

  public double combineGbPerSecond() {
    return combineBytes / 1e9 / elapsedSeconds();
  }
}
