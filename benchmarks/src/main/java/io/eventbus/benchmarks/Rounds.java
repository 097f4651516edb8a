package io.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The schedule every comparison shares: a warm-up, then the clients rotated round by round. */
final class Rounds {
  /** Rounds per queue type unless {@code --rounds} says otherwise. */
  static final int DEFAULT = 5;

  /** Rounds of one client that differ by more than this (of their median) earn a warning. */
  static final double SPREAD_LIMIT = 0.15;

  /** The clients {@code --clients} named (for profiling one client), or empty for all. */
  private static volatile List<String> only = List.of();

  private Rounds() {}

  /**
   * Restricts every later rotation to the clients named in {@code commaSeparated} (empty: all);
   * {@code --clients eventbus} runs eventbus alone, for a profile of it and nothing else.
   */
  static void only(String commaSeparated) {
    only =
        commaSeparated.isBlank() ? List.of() : List.of(commaSeparated.trim().split("\\s*,\\s*"));
  }

  /** One run of {@code client} on a fresh queue of {@code queueType}. */
  @FunctionalInterface
  interface Run {
    Measurement.Result run(String client, String queueType, int events) throws Exception;
  }

  /**
   * Warms each client up on 20,000 events on each queue type, then runs every client {@code rounds}
   * times per queue type, starting each round with the next client, and prints each result as it
   * comes ({@code operation} names it).
   */
  static List<Measurement.Result> rotate(
      String operation,
      List<String> clients,
      List<String> queueTypes,
      int events,
      int rounds,
      Run run)
      throws Exception {
    if (!only.isEmpty()) {
      clients = clients.stream().filter(only::contains).toList();
    }
    String loadBefore = loadAverage();
    System.out.println("load average before " + operation + ": " + loadBefore);
    System.out.println("warming up…");
    // Every client on every queue type: warmed up on classic queues only, a client's first quorum
    // round still ran partly in code the JIT had not compiled yet (the paths differ), and came out
    // up to twice as slow as its later rounds.
    for (String queueType : queueTypes) {
      for (String client : clients) {
        run.run(client, queueType, Math.min(events, 20_000));
      }
    }
    List<Measurement.Result> results = new ArrayList<>();
    for (String queueType : queueTypes) {
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < clients.size(); i++) {
          Measurement.Result result =
              run.run(clients.get((i + round) % clients.size()), queueType, events);
          System.out.printf(
              "  %s %s %s: %,.0f events/s, %.1f µs CPU/event, broker %.1f µs/event,"
                  + " %,.0f B allocated/event (load %s)%n",
              operation,
              queueType,
              result.client(),
              result.eventsPerSecond(),
              result.cpuMicrosPerEvent(),
              result.brokerCpuMicrosPerEvent(),
              result.allocatedBytesPerEvent(),
              loadAverage());
          results.add(result);
        }
      }
    }
    String loadAfter = loadAverage();
    System.out.println("load average after " + operation + ": " + loadAfter);
    LOAD.add(operation + ": before " + loadBefore + ", after " + loadAfter);
    warnAboutSpread(operation, results);
    return results;
  }

  /** The load average before and after each rotation, in the order they ran. */
  static final List<String> LOAD = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Warns (see {@link BenchBroker#warn}) for every client and queue type whose rounds differ in
   * throughput or in CPU time per event by more than {@link #SPREAD_LIMIT} of their median.
   */
  static void warnAboutSpread(String operation, List<Measurement.Result> results) {
    Tables.group(results)
        .forEach(
            (queueType, byClient) ->
                byClient.forEach(
                    (client, runs) -> {
                      if (runs.size() < 2) {
                        return;
                      }
                      double[] rates =
                          runs.stream().mapToDouble(Measurement.Result::eventsPerSecond).toArray();
                      double[] cpu =
                          runs.stream()
                              .mapToDouble(Measurement.Result::cpuMicrosPerEvent)
                              .toArray();
                      for (var figure :
                          java.util.Map.of("events/s", rates, "CPU µs/event", cpu).entrySet()) {
                        double spread = Stats.spread(figure.getValue());
                        if (spread > SPREAD_LIMIT) {
                          BenchBroker.warn(
                              String.format(
                                  java.util.Locale.ROOT,
                                  "%s %s %s: the rounds' %s differ by %.0f%% of their median"
                                      + " (%s); treat its ratios with care",
                                  operation,
                                  queueType,
                                  client,
                                  figure.getKey(),
                                  spread * 100,
                                  Tables.range(figure.getValue(), "%,.1f")));
                        }
                      }
                    }));
  }

  /** The 1, 5 and 15-minute load averages from {@code /proc/loadavg}, or "unknown". */
  static String loadAverage() {
    try {
      String[] parts =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
              .trim()
              .split("\\s+");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
