package io.epruntime.cli.run;

/**
 * Renders the live progress of a run: a bar for a terminal (redrawn in place with {@code \r}) or a
 * plain line for logs and pipes. Pure functions of a {@link RunSnapshot}, so tests pin the text.
 */
public final class ProgressLine {
  static final int BAR_WIDTH = 24;

  private ProgressLine() {}

  /** {@code [#######.........]  57/200 steps  14.2 steps/s  p50 2.10 ms  errors 0} */
  public static String bar(RunSnapshot s) {
    int filled = s.plannedSteps() == 0 ? BAR_WIDTH : (int) ((long) s.completedOrFailed() * BAR_WIDTH / s.plannedSteps());
    StringBuilder b = new StringBuilder(96).append('[');
    for (int i = 0; i < BAR_WIDTH; i++) {
      b.append(i < filled ? '#' : '.');
    }
    return b.append("] ").append(counters(s)).toString();
  }

  /** {@code ep run: 57/200 steps, 14.2 steps/s, p50 2.10 ms, errors 0} */
  public static String plain(RunSnapshot s) {
    return "ep run: " + s.completedOrFailed() + "/" + s.plannedSteps() + " steps, " + Units.decimal(s.stepsPerSecond(), 1)
        + " steps/s, p50 " + Units.latency(s.p50Nanos()) + ", errors " + s.errors();
  }

  private static String counters(RunSnapshot s) {
    int width = Integer.toString(s.plannedSteps()).length();
    return String.format("%" + width + "d", s.completedOrFailed()) + "/" + s.plannedSteps() + " steps"
        + "  " + Units.decimal(s.stepsPerSecond(), 1) + " steps/s"
        + "  p50 " + Units.latency(s.p50Nanos())
        + "  errors " + s.errors();
  }
}
