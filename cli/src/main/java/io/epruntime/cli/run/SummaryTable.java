package io.epruntime.cli.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The table {@code ep run} prints when it ends: one row per figure, aligned, so the important
 * numbers (mismatches, latency percentiles, bandwidth) are found by eye in a second.
 */
public final class SummaryTable {
  private SummaryTable() {}

  /** The whole table, lines separated by {@code \n}, ending with a newline. */
  public static String render(String title, RunSnapshot s, String runDir) {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("steps", s.plannedSteps() + " planned, " + s.completed() + " completed (HT " + s.htSteps() + ", LL " + s.llSteps() + ")"));
    rows.add(row("verified", Integer.toString(s.verified())));
    rows.add(row("mismatches", Integer.toString(s.mismatches())));
    rows.add(row("unverified", s.unverified() + (s.failed() > 0 ? " (" + s.failed() + " failed)" : "")));
    rows.add(row("retried", Integer.toString(s.retried())));
    rows.add(row("latency", "p50 " + Units.latency(s.p50Nanos()) + "   p99 " + Units.latency(s.p99Nanos()) + "   max " + Units.latency(s.maxNanos())));
    rows.add(row("throughput", Units.decimal(s.stepsPerSecond(), 1) + " steps/s, " + Units.decimal(s.tokensPerSecond(), 0)
        + " tokens/s over " + Units.decimal(s.elapsedSeconds(), 2) + " s"));
    rows.add(row("dispatch", Units.bandwidth(s.dispatchGbPerSecond() * 1e9) + " (" + s.dispatchBytes() + " bytes received, all ranks)"));
    rows.add(row("combine", Units.bandwidth(s.combineGbPerSecond() * 1e9) + " (" + s.combineBytes() + " bytes sent back, all ranks)"));
    rows.add(row("generations", s.generations() + (s.lastGeneration() >= 0 ? " (last " + s.lastGeneration() + ")" : "")));
    if (s.firstProblem() != null) {
      rows.add(row("first problem", s.firstProblem()));
    }
    if (runDir != null) {
      rows.add(row("logs", runDir));
    }
    rows.add(row("result", s.allVerified() ? "OK: every step matched the CPU reference" : "FAILED: not every step was verified"));

    int keyWidth = 0;
    for (String[] r : rows) {
      keyWidth = Math.max(keyWidth, r[0].length());
    }
    StringBuilder b = new StringBuilder(title).append('\n');
    String rule = "-".repeat(Math.max(title.length(), 40));
    b.append(rule).append('\n');
    for (String[] r : rows) {
      b.append("  ").append(r[0]).append(" ".repeat(keyWidth - r[0].length() + 2)).append(r[1]).append('\n');
    }
    return b.toString();
  }

  private static String[] row(String key, String value) {
    return new String[] {key, value};
  }
}
