package io.eventbus.benchmarks.chaos;

import io.eventbus.benchmarks.chaos.ChaosRun.Result;
import io.eventbus.benchmarks.chaos.ChaosRun.Scenario;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the chaos scenarios and writes docs/reliability.md, keeping its outbox section ({@link
 * OutboxReliabilityReport} writes that one) and its dependency-outage section ({@link
 * OutageReport}).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests exec:exec@chaos
 * </pre>
 *
 * Options: {@code --length 60} (seconds per scenario), {@code --rate 500} (events/s), {@code
 * --report docs/reliability.md}, {@code --scenarios CONNECTION_CUTS,NODE_RESTARTS,...}.
 */
public final class ReliabilityReport {
  private ReliabilityReport() {}

  public static void main(String[] args) throws Exception {
    java.util.Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Duration length = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--length", "60")));
    int rate = Integer.parseInt(options.getOrDefault("--rate", "500"));
    Path report = Path.of(options.getOrDefault("--report", "docs/reliability.md"));
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    if (options.containsKey("--scenarios")) {
      scenarios = EnumSet.noneOf(Scenario.class);
      for (String name : options.get("--scenarios").split(",")) {
        scenarios.add(Scenario.valueOf(name.trim()));
      }
    }
    List<Result> results =
        runAll(scenarios, length, rate, Files.createTempDirectory("eventbus-chaos"));
    String old = Files.exists(report) ? Files.readString(report, StandardCharsets.UTF_8) : "";
    String outbox = OutboxReliabilityReport.sectionOf(old);
    String outage = OutageReport.sectionOf(old);
    String markdown = markdown(results, length, rate);
    if (!outbox.isEmpty()) {
      markdown = OutboxReliabilityReport.withSection(markdown, outbox);
    }
    if (!outage.isEmpty()) {
      markdown = OutageReport.withSection(markdown, outage);
    }
    Matcher hostile = HOSTILE_INPUT.matcher(old);
    if (hostile.find()) {
      markdown = markdown.stripTrailing() + "\n\n" + hostile.group() + "\n";
    }
    Files.writeString(report, markdown, StandardCharsets.UTF_8);
    System.out.println(table(results));
    System.out.println("Wrote " + report.toAbsolutePath());
    boolean lost = results.stream().anyMatch(result -> !result.lost().isEmpty());
    System.exit(lost ? 1 : 0);
  }

  /** Runs the single-node scenarios on one private node, and failover on a 3-node cluster. */
  public static List<Result> runAll(Set<Scenario> scenarios, Duration length, int rate, Path work)
      throws Exception {
    ChaosRun chaos = new ChaosRun(work);
    List<Result> results = new ArrayList<>();
    Set<Scenario> single = EnumSet.copyOf(scenarios);
    single.remove(Scenario.CLUSTER_FAILOVER);
    if (!single.isEmpty()) {
      try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
        for (Scenario scenario : single) {
          results.add(chaos.run(scenario, List.of(node), length, rate));
        }
      }
    }
    if (scenarios.contains(Scenario.CLUSTER_FAILOVER)) {
      List<PrivateRabbitNode> cluster = PrivateRabbitNode.startCluster(3);
      try {
        results.add(chaos.run(Scenario.CLUSTER_FAILOVER, cluster, length, rate));
      } finally {
        cluster.forEach(PrivateRabbitNode::close);
      }
    }
    return results;
  }

  static String table(List<Result> results) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| scenario | faults applied | published | confirmed | publish failed | handled (unique) | lost | duplicates | took |\n");
    table.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result result : results) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d | %,d | %,d | %,d | **%d** | %,d | %d s |%n",
              result.scenario().description,
              result.faults(),
              result.published(),
              result.confirmed(),
              result.failed(),
              result.handledUnique(),
              result.lost().size(),
              result.duplicates(),
              result.elapsed().toSeconds()));
    }
    return table.toString();
  }

  /**
   * The section HostileInputIT writes into the report, kept as it is when the chaos runs rewrite
   * it.
   */
  static final Pattern HOSTILE_INPUT =
      Pattern.compile("<!-- hostile-input -->.*?<!-- /hostile-input -->", Pattern.DOTALL);

  static String markdown(List<Result> results, Duration length, int rate) {
    return "# Reliability\n\n"
        + "What eventbus guarantees, and the evidence from the last chaos run on this project's CI\n"
        + "machine. Regenerate with:\n\n"
        + "```sh\n./mvnw -q -pl benchmarks -am package -DskipTests exec:exec@chaos\n```\n\n"
        + "## The guarantees\n\n"
        + "- **Nothing confirmed is lost.** A publish completes only after the broker confirmed the event\n"
        + "  and routed it to at least one queue. Events sent but unconfirmed when a connection drops are\n"
        + "  sent again after recovery; a publish that cannot be confirmed in time fails with a typed\n"
        + "  exception carrying the event id. A publish that failed may still have been stored (its confirm\n"
        + "  was lost), so it can be handled even though it was reported failed.\n"
        + "- **At-least-once delivery.** A handler's event is acknowledged only after the handler returns;\n"
        + "  a consumer that dies, or whose connection drops, leaves its unacknowledged events to the broker,\n"
        + "  which redelivers them. Duplicates are therefore possible and counted below; handlers\n"
        + "  deduplicate on the event id.\n"
        + "- **Every failure is visible**: an event that cannot be handled ends in the dead-letter queue with\n"
        + "  the reason in its headers (see docs/wire-format.md).\n\n"
        + "## How each run is judged\n\n"
        + "A publisher process and a consumer process (separate JVMs) run against private RabbitMQ nodes\n"
        + "(never the shared one) while the fault is applied. The publisher chooses every event id and logs\n"
        + "each confirmed and each failed publish; the consumer logs every handled id before its handler\n"
        + "returns, that is before the acknowledgement, with unbuffered writes that survive SIGKILL.\n"
        + "**Lost** = confirmed ids never handled; **duplicates** = handled lines minus unique ids.\n\n"
        + String.format(
            Locale.ROOT,
            "## Last run (%s, %d s per scenario at %d events/s, %d cores, Java %s)%n%n",
            LocalDate.now(),
            length.toSeconds(),
            rate,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"))
        + table(results)
        + "\nA shorter run of the first four scenarios (8 s each) is part of `./mvnw verify`"
        + " (`ChaosIT`) and fails the build if anything confirmed is lost.\n";
  }
}
