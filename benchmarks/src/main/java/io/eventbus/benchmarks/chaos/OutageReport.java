package io.eventbus.benchmarks.chaos;

import io.eventbus.benchmarks.chaos.OutageRun.Result;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs the dependency outage without and with a circuit breaker ({@link OutageRun}) on a private
 * node and writes the section "Dependency outage" of docs/reliability.md (between its markers; the
 * rest of the page is left alone).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests exec:exec@outage
 * </pre>
 *
 * Options: {@code --length 60} (seconds of publishing), {@code --rates 500,50} (events/s, a pair of
 * runs per retry configuration each), {@code --outage-at 10} and {@code --outage 30} (seconds),
 * {@code --report docs/reliability.md}.
 */
public final class OutageReport {
  static final String BEGIN = "<!-- dependency-outage -->";
  static final String END = "<!-- /dependency-outage -->";

  private OutageReport() {}

  public static void main(String[] args) throws Exception {
    java.util.Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Duration length = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--length", "60")));
    List<Integer> rates =
        Arrays.stream(options.getOrDefault("--rates", "500,50").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    Duration outageAt =
        Duration.ofSeconds(Long.parseLong(options.getOrDefault("--outage-at", "10")));
    Duration outage = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--outage", "30")));
    Path report = Path.of(options.getOrDefault("--report", "docs/reliability.md"));
    List<Result> results = new ArrayList<>();
    Path work = Files.createTempDirectory("eventbus-outage");
    for (int rate : rates) {
      results.addAll(runBoth(length, rate, outageAt, outage, List.of(false, true), work));
    }
    String page = Files.exists(report) ? Files.readString(report, StandardCharsets.UTF_8) : "";
    String section = section(results, notesOf(sectionOf(page)));
    Files.writeString(report, withSection(page, section), StandardCharsets.UTF_8);
    System.out.println(table(results));
    System.out.println("Wrote " + report.toAbsolutePath());
    boolean lost = results.stream().anyMatch(result -> !result.lost().isEmpty());
    System.exit(lost ? 1 : 0);
  }

  /**
   * For each retry configuration ({@code fastRetries}: false, true, or both), the run without a
   * breaker, then the run with one, on one private node.
   */
  public static List<Result> runBoth(
      Duration length,
      int rate,
      Duration outageAt,
      Duration outage,
      List<Boolean> fastRetries,
      Path work)
      throws Exception {
    OutageRun runner = new OutageRun(work);
    List<Result> results = new ArrayList<>();
    try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
      for (boolean fast : fastRetries) {
        results.add(runner.run(node, false, fast, length, rate, outageAt, outage));
        results.add(runner.run(node, true, fast, length, rate, outageAt, outage));
      }
    }
    return results;
  }

  static String table(List<Result> results) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| rate | in-process retries | circuit breaker | published | confirmed | handled"
            + " (unique) | dead-lettered | lost | duplicates | calls refused by the dependency |"
            + " largest backlog | time to drain after the outage | took |\n");
    table.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result result : results) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %d/s | %s | %s | %,d | %,d | %,d | **%,d** | **%d** | %,d | %,d | %,d | %s | %d s"
                  + " |%n",
              result.rate(),
              result.fastRetries() ? "2 attempts, 10 ms apart" : "default: 3, 100 ms doubling",
              result.breaker() ? "yes" : "no",
              result.published(),
              result.confirmed(),
              result.handledUnique(),
              result.deadLettered(),
              result.lost().size(),
              result.duplicates(),
              result.refusedCalls(),
              result.maxBacklog(),
              result.drain().isNegative()
                  ? "not drained"
                  : String.format(Locale.ROOT, "%.1f s", result.drain().toMillis() / 1000.0),
              result.elapsed().toSeconds()));
    }
    return table.toString();
  }

  static String section(List<Result> results) {
    return section(results, "");
  }

  /**
   * The section for {@code results}, keeping {@code notes} (the analysis written by hand between
   * the notes markers of the previous section, markers included) after the table.
   */
  static String section(List<Result> results, String notes) {
    Result first = results.get(0);
    return BEGIN
        + "\n## Dependency outage, with and without a circuit breaker\n\n"
        + "The consumer's handler calls a dependency that goes down for a while. Its subscription\n"
        + "runs 4 handlers with prefetch 100 and redelivery delays of 1, 5 and 10 s (16 s in all,\n"
        + "shorter than the outage), with the default retry policy (3 attempts in process, 100 ms\n"
        + "doubling) or with two quick attempts (a dependency that fails fast). With the circuit\n"
        + "breaker (opens at 50 % failures of the last 20 deliveries after 10, open 5 s, 3 probes)\n"
        + "the subscription stops consuming while the dependency is down and gives back what it\n"
        + "holds; without it, every event it reaches burns through its retries and redeliveries.\n"
        + "**Dead-lettered** counts the events parked; **lost** = confirmed and neither handled nor\n"
        + "parked; **time to drain** runs from the end of the outage until the backlog (queue and\n"
        + "retry queues) is back to a fifth of a second of traffic with no retry pending.\n\n"
        + String.format(
            Locale.ROOT,
            "Last run (%s, %d s of publishing per run, outage of %d s from second %d, %d cores,"
                + " Java %s):%n%n",
            LocalDate.now(),
            first.length().toSeconds(),
            first.outage().toSeconds(),
            first.outageAt().toSeconds(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"))
        + table(results)
        + (notes.isEmpty() ? "" : "\n" + notes + "\n")
        + "\nRegenerate with `./mvnw -q -pl benchmarks -am package -DskipTests exec:exec@outage`;\n"
        + "a shorter run is part of `./mvnw verify` (`DependencyOutageIT`).\n"
        + END
        + "\n";
  }

  static final String NOTES_BEGIN = "<!-- outage-notes -->";
  static final String NOTES_END = "<!-- /outage-notes -->";

  /** The hand-written notes of {@code page}'s outage section, markers included, or empty. */
  static String notesOf(String page) {
    int begin = page.indexOf(NOTES_BEGIN);
    int end = page.indexOf(NOTES_END);
    return begin >= 0 && end > begin ? page.substring(begin, end + NOTES_END.length()) : "";
  }

  /** {@code page} with its outage section replaced by {@code section}, or {@code section} added. */
  static String withSection(String page, String section) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    if (begin >= 0 && end > begin) {
      int after = end + END.length();
      if (after < page.length() && page.charAt(after) == '\n') {
        after++;
      }
      return page.substring(0, begin) + section + page.substring(after);
    }
    return page.endsWith("\n") || page.isEmpty()
        ? page + (page.isEmpty() ? "" : "\n") + section
        : page + "\n\n" + section;
  }

  /** The outage section of {@code page}, or empty if it has none. */
  static String sectionOf(String page) {
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    return begin >= 0 && end > begin ? page.substring(begin, end + END.length()) + "\n" : "";
  }
}
