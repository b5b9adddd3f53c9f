package io.epruntime.cli.run;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Draws the progress of a run on stderr from a timer: a bar redrawn in place on a terminal, a plain
 * line every few seconds otherwise, nothing for {@code --progress none}. The timer only reads a
 * snapshot; it never waits on the run.
 */
public final class ProgressReporter implements AutoCloseable {

  /** How progress is shown; {@code auto} picks {@code bar} when stderr is a terminal. */
  public enum Style {
    auto,
    bar,
    lines,
    none
  }

  private static final long BAR_PERIOD_MS = 200;
  private static final long LINE_PERIOD_MS = 5_000;

  private final RunStats stats;
  private final PrintWriter err;
  private final Style style;
  private final ScheduledExecutorService timer;
  private int lastBarLength;

  private ProgressReporter(RunStats stats, PrintWriter err, Style style) {
    this.stats = stats;
    this.err = err;
    this.style = style;
    this.timer = style == Style.none ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ep-progress");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts drawing; {@code stderrIsTerminal} decides what {@code auto} means. */
  public static ProgressReporter start(RunStats stats, PrintWriter err, Style requested, boolean stderrIsTerminal) {
    Style style = requested == Style.auto ? (stderrIsTerminal ? Style.bar : Style.lines) : requested;
    ProgressReporter r = new ProgressReporter(stats, err, style);
    if (r.timer != null) {
      long period = style == Style.bar ? BAR_PERIOD_MS : LINE_PERIOD_MS;
      r.timer.scheduleAtFixedRate(r::draw, period, period, TimeUnit.MILLISECONDS);
    }
    return r;
  }

  private synchronized void draw() {
    RunSnapshot s = stats.snapshot(System.nanoTime(), false);
    if (style == Style.bar) {
      String line = ProgressLine.bar(s);
      // Pad over a longer previous line so no stale characters remain after \r.
      err.print("\r" + line + " ".repeat(Math.max(0, lastBarLength - line.length())));
      lastBarLength = line.length();
    } else {
      err.println(ProgressLine.plain(s));
    }
    err.flush();
  }

  /** Stops the timer and leaves the final state on screen, ending the bar's line. */
  @Override
  public synchronized void close() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    draw();
    if (style == Style.bar) {
      err.println();
      err.flush();
    }
  }
}
