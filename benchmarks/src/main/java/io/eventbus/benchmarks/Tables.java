package io.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Markdown tables of throughput runs: medians per queue type and client, ratio to the raw client.
 */
final class Tables {
  static final String RAW = "amqp-client";

  private Tables() {}

  /** Runs grouped by queue type, then client, in the order they first appear. */
  static Map<String, Map<String, List<Measurement.Result>>> group(
      List<Measurement.Result> results) {
    Map<String, Map<String, List<Measurement.Result>>> grouped = new LinkedHashMap<>();
    for (Measurement.Result result : results) {
      grouped
          .computeIfAbsent(result.queueType(), k -> new LinkedHashMap<>())
          .computeIfAbsent(result.client(), k -> new ArrayList<>())
          .add(result);
    }
    for (Map<String, List<Measurement.Result>> byClient : grouped.values()) {
      List<Map.Entry<String, List<Measurement.Result>>> entries =
          new ArrayList<>(byClient.entrySet());
      entries.sort(Comparator.comparingInt(e -> clientOrder(e.getKey())));
      byClient.clear();
      entries.forEach(e -> byClient.put(e.getKey(), e.getValue()));
    }
    return grouped;
  }

  private static int clientOrder(String client) {
    return switch (client) {
      case RAW -> 0;
      case "eventbus" -> 1;
      default -> 2;
    };
  }

  /** The run with the median throughput (the upper one of an even count). */
  static Measurement.Result median(List<Measurement.Result> runs) {
    List<Measurement.Result> sorted =
        runs.stream()
            .sorted(Comparator.comparingDouble(Measurement.Result::eventsPerSecond))
            .toList();
    return sorted.get(sorted.size() / 2);
  }

  /** Median throughput of {@code client} divided by the raw client's, or NaN. */
  static double ratio(Map<String, List<Measurement.Result>> byClient, String client) {
    return ratio(byClient, client, Measurement.Result::eventsPerSecond);
  }

  /** Median CPU time per event of {@code client} divided by the raw client's, or NaN. */
  static double cpuRatio(Map<String, List<Measurement.Result>> byClient, String client) {
    return ratio(byClient, client, Measurement.Result::cpuMicrosPerEvent);
  }

  /** The median of {@code figure} over {@code client}'s runs divided by the raw client's. */
  static double ratio(
      Map<String, List<Measurement.Result>> byClient,
      String client,
      ToDoubleFunction<Measurement.Result> figure) {
    List<Measurement.Result> raw = byClient.get(RAW);
    List<Measurement.Result> runs = byClient.get(client);
    if (raw == null || runs == null) {
      return Double.NaN;
    }
    return median(runs, figure) / median(raw, figure);
  }

  /** The median of {@code figure} over {@code runs}. */
  static double median(List<Measurement.Result> runs, ToDoubleFunction<Measurement.Result> figure) {
    return Stats.median(values(runs, figure));
  }

  static double[] values(
      List<Measurement.Result> runs, ToDoubleFunction<Measurement.Result> figure) {
    return runs.stream().mapToDouble(figure).toArray();
  }

  /** {@code min / median / max} of {@code values}, each formatted with {@code format}. */
  static String range(double[] values, String format) {
    return String.format(Locale.ROOT, format, Stats.min(values))
        + " / "
        + String.format(Locale.ROOT, format, Stats.median(values))
        + " / "
        + String.format(Locale.ROOT, format, Stats.max(values));
  }

  /**
   * One row per queue type and client with min / median / max over the rounds of throughput, CPU
   * time per event of the benchmark JVM and of the broker, and bytes allocated per event, and the
   * ratio of the medians to the raw client's; {@code confirms} adds the publish-confirm latency.
   */
  static String throughput(List<Measurement.Result> results, boolean confirms) {
    StringBuilder out = new StringBuilder();
    out.append("| queue | client | events/s, min / median / max | ratio to raw |");
    out.append(" CPU µs/event, min / median / max | CPU ratio to raw |");
    out.append(" broker CPU µs/event, median | allocated bytes/event, min / median / max |");
    out.append(confirms ? " confirm p99, median |" : "");
    out.append(" peak heap MiB, median |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        .append(confirms ? "---:|" : "")
        .append("---:|\n");
    group(results)
        .forEach(
            (queueType, byClient) ->
                byClient.forEach(
                    (client, runs) -> {
                      out.append(
                          String.format(
                              Locale.ROOT,
                              "| %s | %s | %s | %.2f | %s | %.2f | %.1f | %s |",
                              queueType,
                              client,
                              range(values(runs, Measurement.Result::eventsPerSecond), "%,.0f"),
                              ratio(byClient, client),
                              range(values(runs, Measurement.Result::cpuMicrosPerEvent), "%.1f"),
                              cpuRatio(byClient, client),
                              median(runs, Measurement.Result::brokerCpuMicrosPerEvent),
                              range(
                                  values(runs, Measurement.Result::allocatedBytesPerEvent),
                                  "%,.0f")));
                      if (confirms) {
                        out.append(
                            String.format(
                                Locale.ROOT,
                                " %,.1f ms |",
                                median(runs, r -> r.p99Micros() / 1000.0)));
                      }
                      out.append(
                          String.format(
                              Locale.ROOT,
                              " %.0f |%n",
                              median(runs, r -> r.peakHeapBytes() / 1024.0 / 1024.0)));
                    }));
    return out.toString();
  }

  /**
   * Every round as it ran: one row per queue type and client, one column per round in the order
   * the rounds ran, each cell {@code events/s · CPU µs/event}. The summary tables give medians;
   * this one lets a reader see each figure they come from.
   */
  static String rounds(List<Measurement.Result> results) {
    int columns =
        group(results).values().stream()
            .flatMap(byClient -> byClient.values().stream())
            .mapToInt(List::size)
            .max()
            .orElse(0);
    StringBuilder out = new StringBuilder("| queue | client |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (int round = 1; round <= columns; round++) {
      out.append(" round ").append(round).append(" |");
      rule.append("---:|");
    }
    out.append('\n').append(rule).append('\n');
    group(results)
        .forEach(
            (queueType, byClient) ->
                byClient.forEach(
                    (client, runs) -> {
                      out.append("| ").append(queueType).append(" | ").append(client).append(" |");
                      for (Measurement.Result run : runs) {
                        out.append(
                            String.format(
                                Locale.ROOT,
                                " %,.0f · %.1f µs |",
                                run.eventsPerSecond(),
                                run.cpuMicrosPerEvent()));
                      }
                      out.append(" |".repeat(columns - runs.size())).append('\n');
                    }));
    return out.toString();
  }
}
