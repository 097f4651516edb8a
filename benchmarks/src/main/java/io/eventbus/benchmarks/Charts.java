package io.eventbus.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Line and bar charts as PNG files, drawn with Java2D into a {@link BufferedImage}; works headless
 * ({@code -Djava.awt.headless=true}).
 */
final class Charts {
  static final int WIDTH = 960;
  static final int HEIGHT = 480;
  private static final Color[] PALETTE = {
    new Color(0x4C72B0),
    new Color(0xDD8452),
    new Color(0x55A868),
    new Color(0xC44E52),
    new Color(0x8172B3),
    new Color(0x937860)
  };
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 90;

  private Charts() {}

  /** A named line: {@code x[i]} against {@code y[i]}; {@code dashed} for a secondary figure. */
  record Series(String name, double[] x, double[] y, int color, boolean dashed) {}

  /** A line chart; on a logarithmic y axis values at or below zero are left out. */
  static void lines(
      Path file, String title, String xLabel, String yLabel, List<Series> series, boolean logY)
      throws IOException {
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i]) || (logY && s.y()[i] <= 0)) {
          continue;
        }
        minX = Math.min(minX, s.x()[i]);
        maxX = Math.max(maxX, s.x()[i]);
        minY = Math.min(minY, s.y()[i]);
        maxY = Math.max(maxY, s.y()[i]);
      }
    }
    if (minX > maxX) {
      minX = 0;
      maxX = 1;
      minY = logY ? 1 : 0;
      maxY = 10;
    }
    if (maxX == minX) {
      maxX = minX + 1;
    }
    Axis xAxis = Axis.linear(minX, maxX, false);
    Axis yAxis = logY ? Axis.log(minY, maxY) : Axis.linear(Math.min(0, minY), maxY, true);
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, title);
    frame(g, xAxis, yAxis, xLabel, yLabel);
    for (Series s : series) {
      g.setColor(PALETTE[s.color() % PALETTE.length]);
      g.setStroke(
          s.dashed()
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
              : new BasicStroke(2f));
      Path2D.Double path = new Path2D.Double();
      boolean started = false;
      for (int i = 0; i < s.x().length; i++) {
        double y = s.y()[i];
        if (!Double.isFinite(y) || (logY && y <= 0)) {
          started = false;
          continue;
        }
        double px = xAxis.pixelX(s.x()[i]);
        double py = yAxis.pixelY(y);
        if (started) {
          path.lineTo(px, py);
        } else {
          path.moveTo(px, py);
          started = true;
        }
      }
      g.draw(path);
    }
    legend(
        g,
        series.stream().map(Series::name).toList(),
        series.stream().map(Series::color).toList(),
        series.stream().map(Series::dashed).toList());
    write(image, g, file);
  }

  /**
   * A grouped bar chart: {@code values[s][k]} is series {@code s} in group {@code k}; NaN leaves a
   * gap. Each bar is labelled with its value.
   */
  static void bars(
      Path file,
      String title,
      String yLabel,
      List<String> groups,
      List<String> seriesNames,
      double[][] values)
      throws IOException {
    double maxY = 0;
    for (double[] row : values) {
      for (double v : row) {
        if (Double.isFinite(v)) {
          maxY = Math.max(maxY, v);
        }
      }
    }
    Axis yAxis = Axis.linear(0, maxY == 0 ? 1 : maxY * 1.1, true);
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(image, title);
    yAxisOnly(g, yAxis, yLabel);
    int plotWidth = WIDTH - LEFT - RIGHT;
    double groupWidth = (double) plotWidth / groups.size();
    double barWidth = groupWidth * 0.8 / seriesNames.size();
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics metrics = g.getFontMetrics();
    for (int k = 0; k < groups.size(); k++) {
      double groupLeft = LEFT + k * groupWidth + groupWidth * 0.1;
      for (int s = 0; s < seriesNames.size(); s++) {
        double v = values[s][k];
        if (!Double.isFinite(v)) {
          continue;
        }
        int x = (int) Math.round(groupLeft + s * barWidth);
        int y = (int) Math.round(yAxis.pixelY(v));
        g.setColor(PALETTE[s % PALETTE.length]);
        g.fillRect(x, y, (int) Math.max(1, barWidth - 3), HEIGHT - BOTTOM - y);
        g.setColor(Color.DARK_GRAY);
        String label = compact(v);
        g.drawString(
            label,
            x + (int) (barWidth - 3 - metrics.stringWidth(label)) / 2,
            y - metrics.getDescent() - 1);
      }
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      FontMetrics groupMetrics = g.getFontMetrics();
      g.drawString(
          groups.get(k),
          (int)
              (LEFT + k * groupWidth + (groupWidth - groupMetrics.stringWidth(groups.get(k))) / 2),
          HEIGHT - BOTTOM + 20);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }
    List<Integer> colors = new ArrayList<>();
    List<Boolean> dashed = new ArrayList<>();
    for (int s = 0; s < seriesNames.size(); s++) {
      colors.add(s);
      dashed.add(false);
    }
    legend(g, seriesNames, colors, dashed);
    write(image, g, file);
  }

  private static Graphics2D canvas(BufferedImage image, String title) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 30);
    return g;
  }

  private static void frame(Graphics2D g, Axis x, Axis y, String xLabel, String yLabel) {
    yAxisOnly(g, y, yLabel);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    for (double tick : x.ticks()) {
      int px = (int) Math.round(x.pixelX(tick));
      g.setColor(new Color(0xE5E5E5));
      g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
      g.setColor(Color.BLACK);
      String label = compact(tick);
      g.drawString(label, px - metrics.stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
    }
    g.drawString(
        xLabel,
        LEFT + (WIDTH - LEFT - RIGHT - metrics.stringWidth(xLabel)) / 2,
        HEIGHT - BOTTOM + 38);
  }

  private static void yAxisOnly(Graphics2D g, Axis y, String yLabel) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    for (double tick : y.ticks()) {
      int py = (int) Math.round(y.pixelY(tick));
      g.setColor(new Color(0xE5E5E5));
      g.drawLine(LEFT, py, WIDTH - RIGHT, py);
      g.setColor(Color.BLACK);
      String label = compact(tick);
      g.drawString(label, LEFT - 8 - metrics.stringWidth(label), py + metrics.getAscent() / 2 - 1);
    }
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
    g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString(
        yLabel, -(TOP + (HEIGHT - TOP - BOTTOM + metrics.stringWidth(yLabel)) / 2), 20);
    rotated.dispose();
  }

  private static void legend(
      Graphics2D g, List<String> names, List<Integer> colors, List<Boolean> dashed) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int x = LEFT;
    int y = HEIGHT - 22;
    for (int i = 0; i < names.size(); i++) {
      g.setColor(PALETTE[colors.get(i) % PALETTE.length]);
      g.setStroke(
          dashed.get(i)
              ? new BasicStroke(
                  3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
              : new BasicStroke(3f));
      g.drawLine(x, y - 4, x + 24, y - 4);
      g.setColor(Color.BLACK);
      g.drawString(names.get(i), x + 30, y);
      x += 30 + metrics.stringWidth(names.get(i)) + 24;
    }
    g.setStroke(new BasicStroke(1f));
  }

  private static void write(BufferedImage image, Graphics2D g, Path file) throws IOException {
    g.dispose();
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  /** 1,234 / 12.5 / 0.25 / 120k: short labels. */
  static String compact(double v) {
    double a = Math.abs(v);
    if (a >= 100_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v).replaceAll("\\.0$", "");
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "");
    }
    return String.format(Locale.ROOT, "%.3f", v).replaceAll("\\.?0+$", "");
  }

  /** A value-to-pixel mapping with its ticks. */
  private record Axis(double min, double max, boolean log, double[] ticks) {

    static Axis linear(double min, double max, boolean vertical) {
      double step = niceStep((max - min) / (vertical ? 6 : 10));
      double first = Math.floor(min / step) * step;
      double last = Math.ceil(max / step) * step;
      List<Double> ticks = new ArrayList<>();
      for (double t = first; t <= last + step / 2; t += step) {
        ticks.add(t);
      }
      return new Axis(
          first, last, false, ticks.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static Axis log(double min, double max) {
      double low = Math.pow(10, Math.floor(Math.log10(min)));
      double high = Math.pow(10, Math.ceil(Math.log10(max)));
      if (high <= low) {
        high = low * 10;
      }
      List<Double> ticks = new ArrayList<>();
      for (double t = low; t <= high * 1.001; t *= 10) {
        ticks.add(t);
      }
      return new Axis(low, high, true, ticks.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double niceStep(double raw) {
      double magnitude = Math.pow(10, Math.floor(Math.log10(raw <= 0 ? 1 : raw)));
      double fraction = raw / magnitude;
      double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
      return nice * magnitude;
    }

    private double fraction(double v) {
      return log
          ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
          : (v - min) / (max - min);
    }

    double pixelX(double v) {
      return LEFT + fraction(v) * (WIDTH - LEFT - RIGHT);
    }

    double pixelY(double v) {
      return HEIGHT - BOTTOM - fraction(v) * (HEIGHT - TOP - BOTTOM);
    }
  }
}
