package io.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The schedule every comparison shares: a warm-up, then the clients rotated round by round. */
final class Rounds {
  private Rounds() {}

  /** One run of {@code client} on a fresh queue of {@code queueType}. */
  @FunctionalInterface
  interface Run {
    Measurement.Result run(String client, String queueType, int events) throws Exception;
  }

  /**
   * Warms each client up on 20,000 events (classic queue), then runs every client {@code rounds}
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
    System.out.println("warming up…");
    for (String client : clients) {
      run.run(client, "classic", Math.min(events, 20_000));
    }
    List<Measurement.Result> results = new ArrayList<>();
    for (String queueType : queueTypes) {
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < clients.size(); i++) {
          Measurement.Result result =
              run.run(clients.get((i + round) % clients.size()), queueType, events);
          System.out.printf(
              "  %s %s %s: %,.0f events/s, %.1f µs CPU/event%n",
              operation,
              queueType,
              result.client(),
              result.eventsPerSecond(),
              result.cpuMicrosPerEvent());
          results.add(result);
        }
      }
    }
    return results;
  }
}
