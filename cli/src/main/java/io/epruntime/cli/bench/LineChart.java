package io.epruntime.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart — title, two labelled axes (x optionally logarithmic), a few named series —
 * drawn on a {@link Canvas}, so one layout yields both the SVG and the PNG of a benchmark chart
 * without a plotting library.
 */
public final class LineChart {
  static final int WIDTH = 720;
  static final int HEIGHT = 440;
  private static final int LEFT = 80;
  private static final int RIGHT = 170;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};

  /** One line: its name in the legend and its points. */
  public record Series(String name, double[] xs, double[] ys) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logX;
  private final List<Series> series = new ArrayList<>();
  private double fixedYMax = Double.NaN;

  public LineChart(String title, String xLabel, String yLabel, boolean logX) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logX = logX;
  }

  /** Fixes the top of the y axis (e.g. 100 for percentiles) instead of fitting the data. */
  public LineChart yMax(double max) {
    fixedYMax = max;
    return this;
  }

  public LineChart add(Series s) {
    series.add(s);
    return this;
  }

  /** Writes {@code <dir>/<name>.svg} and {@code <dir>/<name>.png}; returns both paths. */
  public java.util.List<java.nio.file.Path> write(java.nio.file.Path dir, String name) throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    Canvas.Svg svg = new Canvas.Svg(WIDTH, HEIGHT);
    draw(svg);
    java.nio.file.Path svgFile = dir.resolve(name + ".svg");
    java.nio.file.Files.writeString(svgFile, svg.document());
    Canvas.Png png = new Canvas.Png(WIDTH, HEIGHT);
    draw(png);
    java.nio.file.Path pngFile = dir.resolve(name + ".png");
    png.write(pngFile);
    return java.util.List.of(svgFile, pngFile);
  }

  /** Draws the whole chart; the canvas is {@link #WIDTH} x {@link #HEIGHT}. */
  void draw(Canvas c) {
    double[] xr = range(true);
    double[] yr = range(false);
    yr[0] = Math.min(0, yr[0]);
    if (!Double.isNaN(fixedYMax)) {
      yr[1] = fixedYMax;
    }
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    c.rect(0, 0, WIDTH, HEIGHT, "#ffffff");
    c.text(WIDTH / 2.0, 28, title, 16, "middle", "#000000");
    c.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#000000", 1);
    c.line(LEFT, TOP, LEFT, TOP + plotH, "#000000", 1);
    for (int i = 0; i <= 4; i++) {
      double fx = i / 4.0;
      double xv = logX ? Math.pow(10, xr[0] + fx * (xr[1] - xr[0])) : xr[0] + fx * (xr[1] - xr[0]);
      double px = LEFT + fx * plotW;
      c.line(px, TOP + plotH, px, TOP + plotH + 5, "#000000", 1);
      c.text(px, TOP + plotH + 20, number(xv), 11, "middle", "#000000");
      double yv = yr[0] + fx * (yr[1] - yr[0]);
      double py = TOP + plotH - fx * plotH;
      c.line(LEFT - 5, py, LEFT, py, "#000000", 1);
      c.line(LEFT, py, LEFT + plotW, py, "#e0e0e0", 1);
      c.text(LEFT - 8, py + 4, number(yv), 11, "end", "#000000");
    }
    c.text(LEFT + plotW / 2.0, HEIGHT - 15, xLabel, 12, "middle", "#000000");
    c.text(18, TOP - 12, yLabel, 12, "start", "#000000");
    for (int s = 0; s < series.size(); s++) {
      Series ser = series.get(s);
      String color = COLORS[s % COLORS.length];
      double[] px = new double[ser.xs().length];
      double[] py = new double[ser.ys().length];
      for (int i = 0; i < px.length; i++) {
        double x = logX ? Math.log10(Math.max(ser.xs()[i], 1e-12)) : ser.xs()[i];
        px[i] = LEFT + (x - xr[0]) / (xr[1] - xr[0]) * plotW;
        py[i] = TOP + plotH - (ser.ys()[i] - yr[0]) / (yr[1] - yr[0]) * plotH;
      }
      c.polyline(px, py, color, 2);
      double ly = TOP + 10 + 20 * s;
      c.line(WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 40, ly, color, 3);
      c.text(WIDTH - RIGHT + 45, ly + 4, ser.name(), 11, "start", "#000000");
    }
  }

  /** [min, max] of all x (log10 when logX) or y values, widened when flat. */
  private double[] range(boolean x) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : x ? s.xs() : s.ys()) {
        double t = x && logX ? Math.log10(Math.max(v, 1e-12)) : v;
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (!(lo <= hi)) {
      return new double[] {0, 1};
    }
    if (hi - lo < 1e-12) {
      return new double[] {lo - 1, hi + 1};
    }
    return new double[] {lo, x ? hi : hi + (hi - lo) * 0.05};
  }

  static String number(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, a >= 1 ? "%.1f" : "%.3f", v);
  }
}
