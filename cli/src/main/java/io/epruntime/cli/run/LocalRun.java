package io.epruntime.cli.run;

import io.epruntime.cli.CliException;
import io.epruntime.cli.ExitCode;
import java.io.PrintWriter;

/**
 * One {@code ep run}: a {@link ClusterSession}, the verified steps, the summary. Every exit path
 * stops the rank processes (try-with-resources, plus the cluster's shutdown hook for Ctrl-C).
 */
final class LocalRun {
  private final RunOptions options;
  private final ClusterSession.Settings settings;
  private final PrintWriter out;
  private final PrintWriter err;

  LocalRun(RunOptions options, ClusterSession.Settings settings, PrintWriter out, PrintWriter err) {
    this.options = options;
    this.settings = settings;
    this.out = out;
    this.err = err;
  }

  ExitCode call() {
    try (ClusterSession session = ClusterSession.open(options, settings, "run", err)) {
      err.println("ep run: " + options.steps() + " steps, up to " + options.window() + " in flight, each verified against the CPU reference");
      PhaseResult result = PhaseResult.run(session, options, settings.progress(), err);
      RunSnapshot s = result.snapshot();
      String title = "ep run: " + options.ranks() + " ranks, " + session.backend() + " backend, " + options.dtype() + ", H "
          + options.hidden() + ", E " + options.experts() + ", K " + options.topk() + ", up to " + options.tokens()
          + " tokens/rank, LL capacity " + options.llCapacity() + ", kernel " + options.kernel().name() + ", mode " + options.mode();
      PrintWriter table = settings.json() ? err : out;
      table.print(SummaryTable.render(title, s, session.runDir().toString()));
      if (settings.trace()) {
        table.print(result.hops().render());
      }
      table.flush();
      if (settings.json()) {
        JsonLine line = JsonLine.of(s).put("ranks", options.ranks()).put("backend", session.backend()).put("run_dir", session.runDir().toString());
        if (settings.trace()) {
          line.putRaw("hops", result.hops().json());
        }
        out.println(line);
        out.flush();
      }
      if (result.clusterFailure() != null) {
        throw result.clusterFailure();
      }
      return s.allVerified() ? ExitCode.OK : ExitCode.MISMATCH;
    }
  }
}
