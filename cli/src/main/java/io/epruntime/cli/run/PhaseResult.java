package io.epruntime.cli.run;

import io.epruntime.cli.CliException;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;

/**
 * The outcome of driving one workload through a {@link ClusterSession}: the statistics, every
 * latency (for charts), the steps' hops and, when a rank died meanwhile, the error that ends the command.
 */
public record PhaseResult(RunSnapshot snapshot, long[] sortedLatencies, StepHops hops, CliException clusterFailure) {

  /** Runs {@code options}' steps with progress on stderr; returns when all are done or a rank died. */
  public static PhaseResult run(ClusterSession session, RunOptions options, ProgressReporter.Style style, PrintWriter err) {
    RunStats stats = new RunStats(options.steps(), System.nanoTime());
    RunDriver driver = new RunDriver(session.client(), new SeededWorkload(options), options, stats);
    CliException died = null;
    try (ProgressReporter progress = ProgressReporter.start(stats, err, style, stderrIsTerminal())) {
      CompletableFuture<Void> done = driver.start();
      CompletableFuture.anyOf(done, session.failure()).join();
      stats.finish(System.nanoTime());
      if (!done.isDone()) {
        driver.stop();
        died = session.failure().join();
      }
    }
    return new PhaseResult(stats.snapshot(System.nanoTime(), true), stats.sortedLatencies(), stats.hops(), died);
  }

  /** ./ep tells us (test -t 2); without it, a console means an interactive terminal. */
  private static boolean stderrIsTerminal() {
    String tty = System.getProperty("ep.stderr.tty");
    return tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
  }
}
