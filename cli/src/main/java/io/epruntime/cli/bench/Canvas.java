package io.epruntime.cli.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The few drawing operations a {@link LineChart} needs, as SVG text or as a PNG (Java2D, headless). */
interface Canvas {
  void rect(double x, double y, double w, double h, String fill);

  void line(double x1, double y1, double x2, double y2, String color, double width);

  void polyline(double[] xs, double[] ys, String color, double width);

  /** {@code anchor}: start, middle or end, as in SVG. */
  void text(double x, double y, String text, int size, String anchor, String color);

  /** Builds an SVG document. */
  final class Svg implements Canvas {
    private final StringBuilder b = new StringBuilder();

    Svg(int width, int height) {
      b.append(String.format(Locale.ROOT,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
          width, height, width, height));
    }

    @Override
    public void rect(double x, double y, double w, double h, String fill) {
      b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n", x, y, w, h, fill));
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double width) {
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n",
          x1, y1, x2, y2, color, width));
    }

    @Override
    public void polyline(double[] xs, double[] ys, String color, double width) {
      b.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(width).append("\" points=\"");
      for (int i = 0; i < xs.length; i++) {
        b.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
      }
      b.append("\"/>\n");
    }

    @Override
    public void text(double x, double y, String text, int size, String anchor, String color) {
      String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\" fill=\"%s\">%s</text>%n",
          x, y, size, anchor, color, escaped));
    }

    String document() {
      return b + "</svg>\n";
    }
  }

  /** Draws into an image with Java2D; needs no display ({@code java.awt.headless}). */
  final class Png implements Canvas {
    private final BufferedImage image;
    private final Graphics2D g;

    Png(int width, int height) {
      System.setProperty("java.awt.headless", "true");
      image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      g = image.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    }

    @Override
    public void rect(double x, double y, double w, double h, String fill) {
      g.setColor(Color.decode(fill));
      g.fillRect((int) x, (int) y, (int) w, (int) h);
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double width) {
      g.setColor(Color.decode(color));
      g.setStroke(new BasicStroke((float) width));
      g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void polyline(double[] xs, double[] ys, String color, double width) {
      if (xs.length == 0) {
        return;
      }
      Path2D.Double p = new Path2D.Double();
      p.moveTo(xs[0], ys[0]);
      for (int i = 1; i < xs.length; i++) {
        p.lineTo(xs[i], ys[i]);
      }
      g.setColor(Color.decode(color));
      g.setStroke(new BasicStroke((float) width));
      g.draw(p);
    }

    @Override
    public void text(double x, double y, String text, int size, String anchor, String color) {
      g.setColor(Color.decode(color));
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
      int w = g.getFontMetrics().stringWidth(text);
      double dx = switch (anchor) {
        case "middle" -> -w / 2.0;
        case "end" -> -w;
        default -> 0;
      };
      g.drawString(text, (float) (x + dx), (float) y);
    }

    void write(Path file) throws IOException {
      g.dispose();
      ImageIO.write(image, "png", file.toFile());
    }
  }
}
