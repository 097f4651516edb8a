package io.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    List<Measurement.Result> raw = byClient.get(RAW);
    List<Measurement.Result> runs = byClient.get(client);
    if (raw == null || runs == null) {
      return Double.NaN;
    }
    return median(runs).eventsPerSecond() / median(raw).eventsPerSecond();
  }

  /** One row per queue type and client; {@code confirms} adds the publish-confirm latency. */
  static String throughput(List<Measurement.Result> results, boolean confirms) {
    StringBuilder out = new StringBuilder();
    out.append("| queue | client | events/s (median) | ratio to raw |");
    out.append(confirms ? " confirm p50 | confirm p99 |" : "");
    out.append(" CPU µs/event | peak heap MiB | runs (events/s) |\n");
    out.append("|---|---|---:|---:|")
        .append(confirms ? "---:|---:|" : "")
        .append("---:|---:|---|\n");
    group(results)
        .forEach(
            (queueType, byClient) ->
                byClient.forEach(
                    (client, runs) -> {
                      Measurement.Result median = median(runs);
                      out.append(
                          String.format(
                              Locale.ROOT,
                              "| %s | %s | %,.0f | %.2f |",
                              queueType,
                              client,
                              median.eventsPerSecond(),
                              ratio(byClient, client)));
                      if (confirms) {
                        out.append(
                            String.format(
                                Locale.ROOT,
                                " %,.1f ms | %,.1f ms |",
                                median.p50Micros() / 1000.0,
                                median.p99Micros() / 1000.0));
                      }
                      out.append(
                          String.format(
                              Locale.ROOT,
                              " %.1f | %.0f | %s |%n",
                              median.cpuMicrosPerEvent(),
                              median.peakHeapBytes() / 1024.0 / 1024.0,
                              String.join(
                                  ", ",
                                  runs.stream()
                                      .map(
                                          r ->
                                              String.format(
                                                  Locale.ROOT, "%,.0f", r.eventsPerSecond()))
                                      .toList())));
                    }));
    return out.toString();
  }
}
