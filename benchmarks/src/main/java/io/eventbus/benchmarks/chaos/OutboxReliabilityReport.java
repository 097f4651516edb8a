package io.eventbus.benchmarks.chaos;

import io.eventbus.benchmarks.chaos.OutboxChaosRun.Result;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the outbox chaos run and writes its section of docs/reliability.md (between {@code <!--
 * outbox -->} and {@code <!-- /outbox -->}, which {@link ReliabilityReport} keeps).
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests exec:exec@outbox-chaos
 * </pre>
 *
 * Options: {@code --length 60} (seconds), {@code --rate 200} (orders/s), {@code --kill-every 5}
 * (seconds), {@code --cut-every 3} (seconds), {@code --jdbc jdbc:postgresql://…}, {@code --report
 * docs/reliability.md}.
 */
public final class OutboxReliabilityReport {
  static final String DEFAULT_JDBC = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final Pattern SECTION =
      Pattern.compile("<!-- outbox -->.*?<!-- /outbox -->", Pattern.DOTALL);

  private OutboxReliabilityReport() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Duration length = Duration.ofSeconds(Long.parseLong(options.getOrDefault("--length", "60")));
    int rate = Integer.parseInt(options.getOrDefault("--rate", "200"));
    Duration killEvery =
        Duration.ofSeconds(Long.parseLong(options.getOrDefault("--kill-every", "5")));
    Duration cutEvery =
        Duration.ofSeconds(Long.parseLong(options.getOrDefault("--cut-every", "3")));
    Path report = Path.of(options.getOrDefault("--report", "docs/reliability.md"));
    Result result;
    try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
      result =
          new OutboxChaosRun(
                  Files.createTempDirectory("eventbus-outbox-chaos"),
                  options.getOrDefault("--jdbc", DEFAULT_JDBC))
              .run(node, length, rate, killEvery, cutEvery);
    }
    String section = section(List.of(result), killEvery, cutEvery);
    String existing =
        Files.exists(report) ? Files.readString(report, StandardCharsets.UTF_8) : "# Reliability\n";
    Files.writeString(report, withSection(existing, section), StandardCharsets.UTF_8);
    System.out.println(OutboxChaosRun.table(List.of(result)));
    System.out.println("Wrote " + report.toAbsolutePath());
    System.exit(result.lost() == 0 && result.handledDuplicates() == 0 ? 0 : 1);
  }

  /** {@code document} with its outbox section replaced by {@code section}, or appended. */
  public static String withSection(String document, String section) {
    Matcher matcher = SECTION.matcher(document);
    if (matcher.find()) {
      return document.substring(0, matcher.start()) + section + document.substring(matcher.end());
    }
    return document.stripTrailing() + "\n\n" + section + "\n";
  }

  /** The outbox section of {@code document}, if it has one. */
  public static String sectionOf(String document) {
    Matcher matcher = SECTION.matcher(document);
    return matcher.find() ? matcher.group() : "";
  }

  static String section(List<Result> results, Duration killEvery, Duration cutEvery) {
    return "<!-- outbox -->\n"
        + "## Transactional outbox and idempotent inbox\n\n"
        + "What `eventbus-jdbc` adds (see docs/outbox.md): an event stored through the outbox is"
        + " published\n"
        + "if and only if its transaction commits, and a subscription with the inbox handles each"
        + " event once.\n\n"
        + "**How the run is judged.** Three JVMs against a private RabbitMQ node and the local"
        + " PostgreSQL. The\n"
        + "application commits orders at a fixed rate; each transaction inserts the order and"
        + " stores its event\n"
        + "(an id chosen by the application) through an outbox that only stores. A relay process"
        + " (two relay\n"
        + String.format(
            Locale.ROOT,
            "threads) sends them; it is killed with SIGKILL and restarted every %d s, and its"
                + " broker connection is\n",
            killEvery.toSeconds())
        + String.format(
            Locale.ROOT,
            "cut through a proxy every %d s. The consumer's subscription has the inbox; its"
                + " handler inserts a row\n",
            cutEvery.toSeconds())
        + "per event in the inbox's transaction, and a middleware outside the inbox logs every"
        + " delivery.\n"
        + "**Lost** = committed orders whose event has no handled row; **handled duplicates** ="
        + " handled rows\n"
        + "beyond one per event; **duplicate deliveries absorbed** = deliveries the broker made"
        + " more than once\n"
        + "(the relay re-sends what it had sent but not marked when it was killed), which the"
        + " inbox acknowledged\n"
        + "without running the handler.\n\n"
        + String.format(
            Locale.ROOT,
            "### Last run (%s, %d cores, Java %s)%n%n",
            LocalDate.now(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"))
        + OutboxChaosRun.table(results)
        + "\nRegenerate with `./mvnw -q -pl benchmarks -am package -DskipTests"
        + " exec:exec@outbox-chaos`. A 20 s run is part of\n"
        + "`./mvnw verify` (`OutboxChaosIT`) and fails the build if an event is lost or handled"
        + " twice.\n"
        + "<!-- /outbox -->";
  }
}
