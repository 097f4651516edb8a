package io.eventbus.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs publish, consume, latency, the Spring AMQP comparison, a short soak and request-reply, then
 * rewrites {@code docs/performance.md} and its charts in {@code docs/img/}. Text between {@code
 * <!-- notes -->} and {@code <!-- /notes -->} in the existing file (the analysis) is kept.
 *
 * <pre>
 * benchmarks/run-all.sh                       # the default run, about 15 minutes
 * benchmarks/run-all.sh --soak-seconds 1800   # with a 30-minute soak
 * </pre>
 */
public final class PerformanceReport {
  private static final Pattern NOTES =
      Pattern.compile("<!-- notes -->.*?<!-- /notes -->", Pattern.DOTALL);

  private PerformanceReport() {}

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    Path docs = Path.of(options.text("--docs", "docs"));
    int events = options.number("--events", 20_000);
    int rounds = options.number("--rounds", Rounds.DEFAULT);
    int window = options.number("--window", 4_096);
    int prefetch = options.number("--prefetch", 250);
    List<Integer> rates =
        List.of(options.text("--rates", "1000,2000").split(",")).stream()
            .map(Integer::parseInt)
            .toList();
    int latencySeconds = options.number("--latency-seconds", 20);
    int warmup = options.number("--warmup", 5);
    int soakSeconds = options.number("--soak-seconds", 60);
    int soakRate = options.number("--soak-rate", 1_000);
    List<Integer> rpcRates =
        List.of(options.text("--rpc-rates", "500,1000").split(",")).stream()
            .map(Integer::parseInt)
            .toList();
    List<Integer> rpcResponders =
        List.of(options.text("--rpc-responders", "1,2").split(",")).stream()
            .map(Integer::parseInt)
            .toList();
    int rpcSeconds = options.number("--rpc-seconds", 20);
    int rpcMaxSeconds = options.number("--rpc-max-seconds", 10);
    int rpcInFlight = options.number("--rpc-in-flight", 64);
    List<String> queueTypes = List.of(options.text("--queues", "quorum,classic").split(","));
    PublishBenchmark.rawBuildsMessages = !options.text("--raw", "json").equals("bare");
    boolean spring = Boolean.parseBoolean(options.text("--spring", "true"));

    Instant started = Instant.now();
    String loadBefore = loadAverage();
    try (BenchBroker broker = BenchBroker.open(uri)) {
      String brokerVersion = broker.version();
      System.out.println("== publish");
      List<Measurement.Result> publish =
          new PublishComparison(broker, window).run(queueTypes, events, rounds, spring);
      System.out.println("== consume");
      List<Measurement.Result> consume =
          new ConsumeBenchmark(broker, prefetch).run(queueTypes, events, rounds, spring);
      System.out.println("== latency");
      List<LatencyBenchmark.Result> latency =
          new LatencyBenchmark(broker, prefetch).run(rates, latencySeconds, warmup);
      System.out.println("== soak");
      SoakBenchmark.Result soak = new SoakBenchmark(broker, prefetch).run(soakRate, soakSeconds, 5);
      System.out.println("== request-reply");
      String requestReply =
          RequestReplyBenchmark.section(
              new RequestReplyBenchmark(broker)
                  .run(rpcRates, rpcResponders, rpcSeconds, warmup, rpcMaxSeconds, rpcInFlight),
              rpcSeconds,
              warmup,
              rpcMaxSeconds,
              rpcInFlight);
      broker.deleteExchangeIfUnused();

      Duration took = Duration.between(started, Instant.now());
      Path img = docs.resolve("img");
      charts(img, publish, consume, latency, soak);
      String facts =
          facts(
              brokerVersion,
              broker.description(),
              started,
              took,
              loadBefore,
              loadAverage(),
              events,
              rounds,
              window,
              prefetch);
      Path file = docs.resolve("performance.md");
      String notes = existingNotes(file);
      String markdown =
          markdown(
              facts,
              publish,
              consume,
              latency,
              soak,
              requestReply,
              notes,
              events,
              window,
              prefetch,
              warmup);
      // The outbox benchmark's section (OutboxBenchmark --docs) is kept as it is.
      String outbox =
          Files.exists(file)
              ? io.eventbus.benchmarks.chaos.OutboxReliabilityReport.sectionOf(
                  Files.readString(file, StandardCharsets.UTF_8))
              : "";
      if (!outbox.isEmpty()) {
        markdown =
            io.eventbus.benchmarks.chaos.OutboxReliabilityReport.withSection(markdown, outbox);
      }
      Files.writeString(file, markdown, StandardCharsets.UTF_8);
      System.out.println("wrote " + file + " and charts in " + img + " after " + took);
    }
  }

  private static void charts(
      Path img,
      List<Measurement.Result> publish,
      List<Measurement.Result> consume,
      List<LatencyBenchmark.Result> latency,
      SoakBenchmark.Result soak)
      throws IOException {
    List<String> clients = List.of(Tables.RAW, "eventbus", SpringAmqpPeer.CLIENT);
    List<String> groups = new ArrayList<>();
    List<Map<String, List<Measurement.Result>>> columns = new ArrayList<>();
    Tables.group(publish)
        .forEach(
            (queueType, byClient) -> {
              groups.add("publish, " + queueType);
              columns.add(byClient);
            });
    Tables.group(consume)
        .forEach(
            (queueType, byClient) -> {
              groups.add("consume, " + queueType);
              columns.add(byClient);
            });
    double[][] values = new double[clients.size()][groups.size()];
    for (int s = 0; s < clients.size(); s++) {
      for (int k = 0; k < groups.size(); k++) {
        List<Measurement.Result> runs = columns.get(k).get(clients.get(s));
        values[s][k] = runs == null ? Double.NaN : Tables.median(runs).eventsPerSecond();
      }
    }
    Charts.bars(
        img.resolve("throughput.png"),
        "Throughput, median of the rounds (events/s, higher is better)",
        "events/s",
        groups,
        clients,
        values);

    for (int rate : latency.stream().map(LatencyBenchmark.Result::rate).distinct().toList()) {
      List<Charts.Series> series = new ArrayList<>();
      for (LatencyBenchmark.Result r : latency) {
        if (r.rate() != rate) {
          continue;
        }
        int color = r.client().equals(Tables.RAW) ? 0 : 1;
        double[] x = r.series().stream().mapToDouble(LatencyBenchmark.Point::second).toArray();
        series.add(
            new Charts.Series(
                r.client() + " p50",
                x,
                r.series().stream().mapToDouble(p -> p.p50Micros() / 1000.0).toArray(),
                color,
                false));
        series.add(
            new Charts.Series(
                r.client() + " p99",
                x,
                r.series().stream().mapToDouble(p -> p.p99Micros() / 1000.0).toArray(),
                color,
                true));
      }
      Charts.lines(
          img.resolve("latency-" + rate + ".png"),
          String.format(
              Locale.ROOT, "End-to-end latency per second at %,d events/s (log scale)", rate),
          "seconds into the measured run",
          "ms from intended send to handler",
          series,
          true);
    }

    double[] x = soak.samples().stream().mapToDouble(SoakBenchmark.Sample::second).toArray();
    Charts.lines(
        img.resolve("soak-memory.png"),
        String.format(Locale.ROOT, "Soak at %,d events/s: memory", soak.rate()),
        "seconds",
        "MiB",
        List.of(
            new Charts.Series(
                "RSS",
                x,
                soak.samples().stream().mapToDouble(SoakBenchmark.Sample::rssMiB).toArray(),
                3,
                false),
            new Charts.Series(
                "heap used",
                x,
                soak.samples().stream().mapToDouble(SoakBenchmark.Sample::heapUsedMiB).toArray(),
                0,
                true),
            new Charts.Series(
                "heap after last GC",
                x,
                soak.samples().stream().mapToDouble(SoakBenchmark.Sample::heapAfterGcMiB).toArray(),
                0,
                false)),
        false);
    Charts.lines(
        img.resolve("soak-backlog.png"),
        String.format(Locale.ROOT, "Soak at %,d events/s: backlog and p99 latency", soak.rate()),
        "seconds",
        "ready messages / ms",
        List.of(
            new Charts.Series(
                "backlog (ready messages)",
                x,
                soak.samples().stream().mapToDouble(s -> (double) s.backlog()).toArray(),
                2,
                false),
            new Charts.Series(
                "p99 latency of the interval (ms)",
                x,
                soak.samples().stream().mapToDouble(SoakBenchmark.Sample::p99Millis).toArray(),
                1,
                true)),
        false);
  }

  private static String markdown(
      String facts,
      List<Measurement.Result> publish,
      List<Measurement.Result> consume,
      List<LatencyBenchmark.Result> latency,
      SoakBenchmark.Result soak,
      String requestReply,
      String notes,
      int events,
      int window,
      int prefetch,
      int warmup) {
    StringBuilder md = new StringBuilder();
    md.append("# Performance\n\n");
    md.append(
        "Generated by `benchmarks/run-all.sh` (`PerformanceReport`); do not edit the figures by"
            + " hand, run it again. Only the text between the `notes` markers is written by people"
            + " and kept across runs. How to run each benchmark on its own: `benchmarks/README.md`.\n\n");
    md.append(facts).append('\n');
    md.append("## Summary\n\n");
    md.append(
        "| scenario | queue | CPU µs/event, eventbus / raw client | events/s, eventbus / raw"
            + " client | allocated bytes/event, eventbus (raw client) | events/s, Spring AMQP / raw"
            + " client |\n");
    md.append("|---|---|---:|---:|---:|---:|\n");
    summaryRows(md, "publish (confirmed)", publish);
    summaryRows(md, "consume (manual ack)", consume);
    md.append('\n');
    md.append("![Throughput against the raw client](img/throughput.png)\n\n");

    md.append("## Publish\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d persistent events of about 200 bytes per run to a fresh queue, outstanding-confirm"
                + " window %,d for every client, mandatory flag set; the events (1,024 distinct"
                + " records) are built before the clock starts. Raw client: one channel,"
                + " asynchronous confirms, and per event what an application must do to send the"
                + " same message with amqp-client alone (`--raw json`): the body encoded by a plain"
                + " Jackson `ObjectMapper`, the CloudEvents headers and properties built with a new id"
                + " and time (with `--raw bare`, one pre-built message sent again and again)."
                + " eventbus: `bus.publish(event)` with default middleware, completing futures."
                + " Spring AMQP: one pre-built message, see \"Spring AMQP configuration\" below."
                + " Confirm latency is from the publish call to the confirm.%n%n",
            events,
            window));
    md.append(Tables.throughput(publish, true)).append('\n');
    md.append("Every round, in the order they ran (events/s · CPU µs/event):\n\n");
    md.append(Tables.rounds(publish)).append('\n');

    md.append("## Consume\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d waiting persistent events of about 200 bytes, filled by the raw client before each"
                + " run into a queue declared exactly as an eventbus subscription declares it."
                + " One consumer, prefetch %d, for every client. Raw client: `basicConsume` with"
                + " manual `basicAck` per message after reading the body into the event record"
                + " with a plain Jackson `ObjectMapper` (`--raw json`; no decoding with `--raw"
                + " bare`). eventbus: the default chain"
                + " (logging, dead-letter, decode, redelivery, retry, handler) around a handler that"
                + " only counts. Spring AMQP: `SimpleMessageListenerContainer`, AUTO acknowledgement,"
                + " a listener that decodes the body with the same Jackson codec. The clock runs"
                + " from starting the consumer to the last event entering its handler; CPU is the"
                + " whole process's, divided by the events.%n%n",
            events,
            prefetch));
    md.append(Tables.throughput(consume, false)).append('\n');
    md.append("Every round, in the order they ran (events/s · CPU µs/event):\n\n");
    md.append(Tables.rounds(consume)).append('\n');

    md.append("## Latency under load\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Fixed-rate publishing to a quorum queue consumed in the same JVM (prefetch %d), %d s"
                + " measured after a %d s warm-up at the same rate. Latency runs from the event's"
                + " **intended** send time on the fixed schedule to the entry of its handler, so"
                + " a stalled sender is charged for every event it delays: the recording is"
                + " coordinated-omission-aware (the last column, from the actual send, is not)."
                + " HdrHistogram, 3 significant digits. Raw client: a confirming publisher (window"
                + " %,d) and a consumer with manual acks on a second connection, decoding the body"
                + " with the same codec to read the timestamp.%n%n",
            prefetch,
            latency.isEmpty() ? 0 : latency.get(0).seconds(),
            warmup,
            window));
    md.append(LatencyBenchmark.table(latency)).append('\n');
    for (int rate : latency.stream().map(LatencyBenchmark.Result::rate).distinct().toList()) {
      md.append(
          String.format(
              Locale.ROOT,
              "![Latency percentiles over time at %,d events/s](img/latency-%d.png)%n%n",
              rate,
              rate));
    }

    md.append(requestReply);

    md.append("## Soak\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "One eventbus publishing and consuming %,d events/s for %d s (this run; `--soak-seconds"
                + " 1800` for the 30-minute soak), sampled every 5 s: heap in use after the latest"
                + " collection, RSS (`VmRSS`), ready messages in the subscription's queue (passive"
                + " declare on a separate connection) and p99 latency. *Flat* means the"
                + " least-squares growth over the last half is under 5%% of that half's mean or"
                + " under 8 MiB; the backlog passes if it stays below %d. The JVM runs with a fixed,"
                + " pre-touched 512 MiB heap, so RSS does not grow by first touches.%n%n",
            soak.rate(),
            soak.seconds(),
            SoakBenchmark.BACKLOG_LIMIT));
    md.append(SoakBenchmark.summary(soak)).append('\n');
    md.append("![Soak: memory](img/soak-memory.png)\n\n");
    md.append("![Soak: backlog and latency](img/soak-backlog.png)\n\n");

    md.append("## Spring AMQP configuration\n\n");
    md.append(
        "spring-rabbit 4.1.2, a dependency of `benchmarks/` only, set up as its documentation"
            + " recommends for confirmed publishing and listening:\n\n"
            + "- `CachingConnectionFactory` with `setPublisherConfirmType(ConfirmType.CORRELATED)`"
            + " and `setPublisherReturns(true)`; `RabbitTemplate` with `setMandatory(true)`, a"
            + " `ConfirmCallback` and a `ReturnsCallback`; each message sent with its own"
            + " `CorrelationData` carrying a unique id (required when returns are enabled; a return"
            + " always arrives before its confirm). The default channel cache is large enough for"
            + " one publishing thread. Sources:"
            + " [CorrelationData](https://docs.spring.io/spring-amqp/api/org/springframework/amqp/rabbit/connection/CorrelationData.html),"
            + " [RabbitTemplate.ConfirmCallback](https://docs.spring.io/spring-amqp/api/org/springframework/amqp/rabbit/core/RabbitTemplate.ConfirmCallback.html),"
            + " [CachingConnectionFactory](https://docs.spring.io/spring-amqp/api/org/springframework/amqp/rabbit/connection/CachingConnectionFactory.html).\n"
            + "- `SimpleMessageListenerContainer` (the default container type), one consumer,"
            + " `AcknowledgeMode.AUTO` (ack after the listener returns), the same prefetch as the"
            + " other clients (Spring's own default is 250). Sources:"
            + " [Asynchronous Consumer](https://docs.spring.io/spring-amqp/reference/amqp/receiving-messages/async-consumer.html),"
            + " [Message Listener Container Configuration](https://docs.spring.io/spring-amqp/reference/amqp/containerAttributes.html).\n\n");

    if (!BenchBroker.WARNINGS.isEmpty()) {
      md.append("## Warnings from this run\n\n");
      BenchBroker.WARNINGS.forEach(w -> md.append("- ").append(w).append('\n'));
      md.append('\n');
    }
    md.append("## Analysis\n\n");
    md.append(notes).append("\n");
    return md.toString();
  }

  private static void summaryRows(
      StringBuilder md, String scenario, List<Measurement.Result> results) {
    Tables.group(results)
        .forEach(
            (queueType, byClient) ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %s | %.2f | %.2f | %,.0f (%,.0f) | %.2f |%n",
                        scenario,
                        queueType,
                        Tables.cpuRatio(byClient, "eventbus"),
                        Tables.ratio(byClient, "eventbus"),
                        Tables.median(
                            byClient.getOrDefault("eventbus", List.of()),
                            Measurement.Result::allocatedBytesPerEvent),
                        Tables.median(
                            byClient.getOrDefault(Tables.RAW, List.of()),
                            Measurement.Result::allocatedBytesPerEvent),
                        Tables.ratio(byClient, SpringAmqpPeer.CLIENT))));
  }

  private static String facts(
      String brokerVersion,
      String brokerDescription,
      Instant started,
      Duration took,
      String loadBefore,
      String loadAfter,
      int events,
      int rounds,
      int window,
      int prefetch) {
    return String.format(
        Locale.ROOT,
        "| fact | value |%n|---|---|%n"
            + "| date | %s (took %d min %d s) |%n"
            + "| commit | %s |%n"
            + "| CPU | %s, %d cores visible to the JVM |%n"
            + "| memory | %s |%n"
            + "| OS | %s %s |%n"
            + "| Java | %s (%s), %s |%n"
            + "| broker | RabbitMQ %s on the same machine, %s |%n"
            + "| load average (1, 5, 15 min) | before %s, after %s; %s |%n"
            + "| parameters | %,d events per throughput run, %d rounds, window %,d, prefetch %d,"
            + " raw client %s |%n%n"
            + "**Read CPU per event first.** The broker and the benchmark share %d cores with each"
            + " other and with other builds running at the same time (see the load average), so"
            + " events per second move with whatever else runs; the CPU time the benchmark's JVM"
            + " spends per event (process CPU time over the run, divided by the events) moves much"
            + " less, and the bytes allocated per event (the sum of every thread's"
            + " `getThreadAllocatedBytes`) hardly at all. Clients run alternately in the same JVM,"
            + " the order rotating every round, each run on a fresh queue; every figure is given as"
            + " min / median / max over the rounds and ratios are ratios of medians. Rounds of one"
            + " client that differ by more than %.0f%% earn a warning at the end. CPU time is read"
            + " in 10 ms ticks, so CPU per event has a resolution of 10 ms divided by the events of"
            + " a run.%n",
        started.truncatedTo(ChronoUnit.SECONDS),
        took.toMinutes(),
        took.toSecondsPart(),
        command("git", "rev-parse", "--short", "HEAD"),
        cpuModel(),
        Runtime.getRuntime().availableProcessors(),
        memory(),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()),
        brokerVersion,
        brokerDescription,
        loadBefore,
        loadAfter,
        String.join("; ", Rounds.LOAD),
        events,
        rounds,
        window,
        prefetch,
        PublishBenchmark.rawBuildsMessages
            ? "building each message by hand (`--raw json`)"
            : "re-sending one pre-built message (`--raw bare`)",
        Runtime.getRuntime().availableProcessors(),
        Rounds.SPREAD_LIMIT * 100);
  }

  private static String existingNotes(Path file) throws IOException {
    if (Files.exists(file)) {
      Matcher matcher = NOTES.matcher(Files.readString(file, StandardCharsets.UTF_8));
      if (matcher.find()) {
        return matcher.group();
      }
    }
    return "<!-- notes -->\n(No analysis written yet.)\n<!-- /notes -->";
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + ", " + parts[1] + ", " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static String memory() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(line -> line.startsWith("MemTotal:"))
          .map(
              line ->
                  String.format(
                      Locale.ROOT,
                      "%.1f GiB",
                      Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String command(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0
          ? out.trim()
          : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
