package io.eventbus.samples.orders.monitor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Renders the live view's lines: a title, then per service its rate over the last refresh, totals,
 * latency percentiles, retries, dead letters, backlog and the state of its circuit breaker. Keeps
 * the previous totals to compute rates; thread-safe.
 */
public final class Dashboard {
  private static final String FORMAT = "%-13s %6s %7s %8s %8s %7s %5s %7s  %s";

  private final Map<String, long[]> previous = new HashMap<>();

  /**
   * One service's line.
   *
   * @param figures its metrics
   * @param circuit its circuit breaker's state ({@code closed}, {@code OPEN}, …), or {@code -}
   * @param deadLetters events it parked during this run, if it has a dead-letter queue
   * @param backlog messages waiting in its queues, redelivery queues included, if it consumes
   */
  public record Line(
      ServiceMetrics.Snapshot figures,
      String circuit,
      OptionalLong deadLetters,
      OptionalLong backlog) {}

  /** The title, a header, and one row per line; {@code nanoTime} is when the figures were taken. */
  public synchronized List<String> render(String title, List<Line> lines, long nanoTime) {
    List<String> out = new ArrayList<>();
    out.add(title);
    out.add(
        String.format(
            Locale.ROOT,
            FORMAT,
            "service",
            "ev/s",
            "total",
            "p50 ms",
            "p99 ms",
            "retries",
            "dead",
            "backlog",
            "circuit"));
    for (Line line : lines) {
      ServiceMetrics.Snapshot figures = line.figures();
      long[] last = previous.put(figures.service(), new long[] {figures.completed(), nanoTime});
      String rate = "-";
      if (last != null && nanoTime > last[1]) {
        double perSecond = (figures.completed() - last[0]) * 1e9 / (nanoTime - last[1]);
        rate = String.format(Locale.ROOT, "%.1f", perSecond);
      }
      boolean any = figures.completed() > 0;
      out.add(
          String.format(
              Locale.ROOT,
              FORMAT,
              figures.service(),
              rate,
              figures.completed(),
              any ? millis(figures.p50Millis()) : "-",
              any ? millis(figures.p99Millis()) : "-",
              figures.retries(),
              text(line.deadLetters()),
              text(line.backlog()),
              line.circuit()));
    }
    return out;
  }

  private static String millis(double value) {
    return String.format(Locale.ROOT, value < 100 ? "%.1f" : "%.0f", value);
  }

  private static String text(OptionalLong value) {
    return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
  }
}
