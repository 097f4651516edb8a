package io.eventbus.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.JdbcTables;
import io.eventbus.jdbc.Outbox;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The transactional outbox against direct publishing, in one JVM, on a private RabbitMQ node (or
 * {@code --uri}) and the local PostgreSQL:
 *
 * <ul>
 *   <li><b>Commit-to-handler latency</b> at fixed rates: each order is a database transaction
 *       (insert the order row; with the outbox, store the event in it) run by a pool of 8 request
 *       threads. {@code direct} publishes after the commit and waits for the confirm, as a service
 *       without an outbox does; {@code outbox} stores in the transaction and a relay (one thread,
 *       woken by NOTIFY) sends; {@code outbox+inbox} also handles through the inbox. Latency runs
 *       from the order's intended time on the fixed schedule (coordinated-omission-aware) to the
 *       handler's entry.
 *   <li><b>Relay throughput</b>: {@code --events} rows stored beforehand, then drained by one relay
 *       thread and by two relays (two outboxes on one table, each its own bus), against publishing
 *       the same events directly (pipelined, confirms awaited) on a fresh queue each run; the
 *       clients rotate round by round and every round is shown.
 * </ul>
 *
 * <pre>
 * benchmarks/bench.sh OutboxBenchmark --rates 500,2000 --seconds 20 --events 20000 --rounds 3
 * </pre>
 */
public final class OutboxBenchmark {
  private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  private static final int REQUEST_THREADS = 8;

  private final BenchBroker broker;
  private final HikariDataSource database;
  private final String schema;

  OutboxBenchmark(BenchBroker broker, HikariDataSource database, String schema) {
    this.broker = broker;
    this.database = database;
    this.schema = schema;
  }

  /** Latency of one client at one rate. */
  record Latency(String client, int rate, long sent, long received, Histogram histogram) {}

  /** One throughput run. */
  record Throughput(String client, int round, int events, double seconds) {
    double perSecond() {
      return events / seconds;
    }
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    int seconds = options.number("--seconds", 20);
    int warmup = options.number("--warmup", 5);
    int events = options.number("--events", 20_000);
    int rounds = options.number("--rounds", 3);
    List<Integer> rates =
        List.of(options.text("--rates", "500,2000").split(",")).stream()
            .map(Integer::parseInt)
            .toList();
    String jdbc = options.text("--jdbc", JDBC);
    String uri = options.text("--uri", "");
    PrivateRabbitNode node = uri.isEmpty() ? PrivateRabbitNode.start() : null;
    String schema = "bench_outbox_" + UUID.randomUUID().toString().substring(0, 8);
    try (BenchBroker broker = new BenchBroker(node != null ? node.uri() : uri);
        HikariDataSource database = pool(jdbc, 16)) {
      try (Statement statement = database.getConnection().createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
        statement.execute(
            "CREATE TABLE " + schema + ".orders (order_id text NOT NULL, total numeric NOT NULL)");
        statement.getConnection().close();
      }
      OutboxBenchmark benchmark = new OutboxBenchmark(broker, database, schema);
      System.out.println("== commit-to-handler latency");
      List<Latency> latency = benchmark.latency(rates, seconds, warmup);
      System.out.println("== relay throughput");
      List<Throughput> throughput = benchmark.throughput(events, rounds);
      System.out.println();
      System.out.print(latencyTable(latency));
      System.out.println();
      System.out.print(throughputTable(throughput));
      String docs = options.text("--docs", "");
      if (!docs.isEmpty()) {
        java.nio.file.Path file = java.nio.file.Path.of(docs, "performance.md");
        String existing =
            java.nio.file.Files.exists(file)
                ? java.nio.file.Files.readString(file)
                : "# Performance\n";
        java.nio.file.Files.writeString(
            file,
            io.eventbus.benchmarks.chaos.OutboxReliabilityReport.withSection(
                existing, section(latency, throughput, seconds, warmup, events)));
        System.out.println("wrote the outbox section of " + file);
      }
    } finally {
      try (HikariDataSource cleanup = pool(jdbc, 1);
          Connection connection = cleanup.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
      if (node != null) {
        node.close();
      }
    }
  }

  static HikariDataSource pool(String url, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setPoolName("bench-outbox");
    return new HikariDataSource(config);
  }

  private JdbcTables tables() {
    return JdbcTables.defaults().withSchema(schema);
  }

  List<Latency> latency(List<Integer> rates, int seconds, int warmup) throws Exception {
    List<Latency> results = new ArrayList<>();
    List<String> clients = List.of("direct", "outbox", "outbox+inbox");
    for (int i = 0; i < rates.size(); i++) {
      for (int c = 0; c < clients.size(); c++) {
        String client = clients.get((c + i) % clients.size());
        Latency result = latency(client, rates.get(i), seconds, warmup);
        System.out.printf(
            Locale.ROOT,
            "  %s at %,d/s: p50 %s, p99 %s (%,d sent, %,d received)%n",
            client,
            result.rate(),
            LatencyBenchmark.ms(result.histogram().getValueAtPercentile(50)),
            LatencyBenchmark.ms(result.histogram().getValueAtPercentile(99)),
            result.sent(),
            result.received());
        results.add(result);
      }
    }
    return results;
  }

  /** Records latency on handler entry, from the event's intended time. */
  public static final class Timed {
    final Recorder recorder = new Recorder(3);
    final AtomicLong received = new AtomicLong();
    final AtomicLong measured = new AtomicLong();
    volatile long measuredFrom = Long.MAX_VALUE;

    @EventHandler
    void on(BenchTimedEvent event) {
      received.incrementAndGet();
      if (event.intendedNanos() >= measuredFrom) {
        recorder.recordValue(Math.max(0, System.nanoTime() - event.intendedNanos()) / 1_000);
        measured.incrementAndGet();
      }
    }
  }

  private Latency latency(String client, int rate, int seconds, int warmup) throws Exception {
    String queue = BenchBroker.uniqueName("outbox-latency", "quorum");
    Timed handler = new Timed();
    Inbox inbox = null;
    Outbox outbox = null;
    ExecutorService requests = Executors.newFixedThreadPool(REQUEST_THREADS);
    Semaphore inFlight = new Semaphore(REQUEST_THREADS * 64);
    try (EventBus bus =
        EventBus.builder()
            .transport(broker.transport("bench-outbox", "quorum"))
            .source("/bench")
            .register(BenchTimedEvent.class)
            .build()) {
      SubscriptionOptions.Builder subscription = SubscriptionOptions.builder(queue).prefetch(250);
      if (client.equals("outbox+inbox")) {
        inbox = Inbox.builder(database).tables(tables()).createSchema(true).build();
        subscription.concurrency(4).middleware(inbox.middleware());
      }
      bus.subscribe(subscription.build(), Handlers.scan(handler));
      if (!client.equals("direct")) {
        outbox =
            Outbox.builder(bus, database)
                .tables(tables())
                .createSchema(true)
                .sentRetention(Duration.ZERO)
                .build();
      }
      Outbox relaying = outbox;
      AtomicLong failed = new AtomicLong();
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
      long measured = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measured + TimeUnit.SECONDS.toNanos(seconds);
      AtomicLong sentMeasured = new AtomicLong();
      Histogram total = new Histogram(3);
      handler.measuredFrom = measured; // warm-up events are neither recorded nor counted
      long sentAll =
          FixedRate.run(
              start,
              end,
              rate,
              (i, intended) -> {
                if (intended >= measured) {
                  sentMeasured.incrementAndGet();
                }
                inFlight.acquire();
                requests.execute(
                    () -> {
                      try {
                        order(bus, relaying, i, intended);
                      } catch (Exception e) {
                        failed.incrementAndGet();
                      } finally {
                        inFlight.release();
                      }
                    });
              });
      long expected = sentAll;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (handler.received.get() + failed.get() < expected && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      total.add(handler.recorder.getIntervalHistogram());
      return new Latency(client, rate, sentMeasured.get(), handler.measured.get(), total);
    } finally {
      requests.shutdownNow();
      if (outbox != null) {
        outbox.close();
      }
      if (inbox != null) {
        inbox.close();
      }
      broker.delete(BenchBroker.subscriptionQueues(queue));
      truncate();
    }
  }

  /** One order: a transaction with the order row, and the event through the outbox or after. */
  private void order(EventBus bus, Outbox outbox, long i, long intended) throws Exception {
    BenchTimedEvent event = BenchTimedEvent.number(i, intended, System.nanoTime());
    try (Connection connection = database.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO " + schema + ".orders VALUES (?, ?)")) {
        insert.setString(1, event.orderId());
        insert.setBigDecimal(2, event.total());
        insert.executeUpdate();
      }
      if (outbox != null) {
        outbox.store(connection, event);
      }
      connection.commit();
    }
    if (outbox == null) {
      bus.publish(event).toCompletableFuture().join();
    }
  }

  List<Throughput> throughput(int events, int rounds) throws Exception {
    List<String> clients = List.of("direct", "outbox, 1 relay", "outbox, 2 relays");
    System.out.println("warming up…");
    for (String client : clients) {
      throughput(client, 0, Math.min(events, 5_000));
    }
    List<Throughput> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      for (int c = 0; c < clients.size(); c++) {
        Throughput result = throughput(clients.get((c + round) % clients.size()), round, events);
        System.out.printf(
            Locale.ROOT,
            "  round %d %s: %,.0f events/s%n",
            round,
            result.client(),
            result.perSecond());
        results.add(result);
      }
    }
    return results;
  }

  private Throughput throughput(String client, int round, int events) throws Exception {
    String queue = BenchBroker.uniqueName("outbox-throughput", "quorum");
    broker.declarePlainQueue(queue, "quorum", BenchTimedEvent.TYPE);
    List<EventBus> buses = new ArrayList<>();
    List<Outbox> relays = new ArrayList<>();
    try {
      int relayCount = client.startsWith("outbox") ? (client.contains("2") ? 2 : 1) : 0;
      for (int r = 0; r < Math.max(1, relayCount); r++) {
        buses.add(
            EventBus.builder()
                .transport(broker.transport("bench-outbox-" + r, "quorum"))
                .register(BenchTimedEvent.class)
                .build());
      }
      if (relayCount == 0) {
        long start = System.nanoTime();
        List<CompletableFuture<PublishReceipt>> window = new ArrayList<>();
        for (int i = 0; i < events; i++) {
          window.add(buses.get(0).publish(BenchTimedEvent.number(i, 0, 0)).toCompletableFuture());
          if (window.size() == 4_096) {
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
            window.clear();
          }
        }
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
        return new Throughput(client, round, events, (System.nanoTime() - start) / 1e9);
      }
      try (Outbox storing =
          Outbox.builder(buses.get(0), database)
              .tables(tables())
              .createSchema(true)
              .relayThreads(0)
              .notifyOnCommit(false)
              .build()) {
        try (Connection connection = database.getConnection()) {
          connection.setAutoCommit(false);
          for (int i = 0; i < events; i++) {
            storing.store(connection, BenchTimedEvent.number(i, 0, 0));
            if (i % 1_000 == 999) {
              connection.commit();
            }
          }
          connection.commit();
        }
      }
      long start = System.nanoTime();
      for (EventBus bus : buses) {
        relays.add(
            Outbox.builder(bus, database)
                .tables(tables())
                .relayThreads(1)
                .batchSize(500)
                .sentRetention(Duration.ZERO)
                .build());
      }
      while (unsent() > 0) {
        Thread.sleep(5);
      }
      return new Throughput(client, round, events, (System.nanoTime() - start) / 1e9);
    } finally {
      relays.forEach(Outbox::close);
      buses.forEach(EventBus::close);
      broker.delete(List.of(queue));
      truncate();
    }
  }

  private long unsent() throws SQLException {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM " + tables().outbox() + " WHERE sent_at IS NULL")) {
      result.next();
      return result.getLong(1);
    }
  }

  private void truncate() throws SQLException {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE " + schema + ".orders");
      statement.execute(
          "DO $$ BEGIN IF to_regclass('"
              + tables().outbox()
              + "') IS NOT NULL THEN EXECUTE 'TRUNCATE "
              + tables().outbox()
              + "'; END IF; IF to_regclass('"
              + tables().inbox()
              + "') IS NOT NULL THEN EXECUTE 'TRUNCATE "
              + tables().inbox()
              + "'; END IF; END $$");
    }
  }

  /** The outbox section of docs/performance.md. */
  static String section(
      List<Latency> latency, List<Throughput> throughput, int seconds, int warmup, int events) {
    return "<!-- outbox -->\n"
        + "## Transactional outbox\n\n"
        + String.format(
            Locale.ROOT,
            "Written by `benchmarks/bench.sh OutboxBenchmark --docs docs` (%s, %d cores, Java %s,"
                + " load average %s when it ended), on a private RabbitMQ node and the local"
                + " PostgreSQL 15 with its default `synchronous_commit = on`.%n%n",
            java.time.LocalDate.now(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            loadAverage())
        + String.format(
            Locale.ROOT,
            "**Commit-to-handler latency**, %d s measured after a %d s warm-up at each rate. Every"
                + " order is a transaction (insert the order row) run by %d request threads;"
                + " `direct` publishes after the commit and waits for the confirm, `outbox`"
                + " stores the event in the transaction and one relay thread (woken by NOTIFY)"
                + " sends it, `outbox+inbox` also handles it through the inbox (concurrency 4)."
                + " From the order's intended time on the fixed schedule to the handler's"
                + " entry.%n%n",
            seconds,
            warmup,
            REQUEST_THREADS)
        + latencyTable(latency)
        + String.format(
            Locale.ROOT,
            "%n**Relay throughput**: %,d events stored beforehand, drained by one relay thread"
                + " and by two relays (two outboxes on one table, each with its own bus), against"
                + " publishing the same events directly with 4,096 confirms outstanding; every"
                + " round shown.%n%n",
            events)
        + throughputTable(throughput)
        + "<!-- /outbox -->";
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
          .trim()
          .split("\\s+")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String latencyTable(List<Latency> results) {
    StringBuilder out = new StringBuilder();
    out.append("| rate/s | client | p50 | p99 | p99.9 | max | sent | received |\n");
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (Latency r : results) {
      Histogram h = r.histogram();
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %s | %s | %s | %s | %,d | %,d |%n",
              r.rate(),
              r.client(),
              LatencyBenchmark.ms(h.getValueAtPercentile(50)),
              LatencyBenchmark.ms(h.getValueAtPercentile(99)),
              LatencyBenchmark.ms(h.getValueAtPercentile(99.9)),
              LatencyBenchmark.ms(h.getMaxValue()),
              r.sent(),
              r.received()));
    }
    return out.toString();
  }

  static String throughputTable(List<Throughput> results) {
    StringBuilder out = new StringBuilder();
    out.append("| client | events/s (median) | ratio to direct | rounds (events/s) |\n");
    out.append("|---|---:|---:|---|\n");
    double direct = median(results, "direct");
    for (String client : results.stream().map(Throughput::client).distinct().sorted().toList()) {
      double median = median(results, client);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.2f | %s |%n",
              client,
              median,
              median / direct,
              String.join(
                  ", ",
                  results.stream()
                      .filter(r -> r.client().equals(client))
                      .map(r -> String.format(Locale.ROOT, "%,.0f", r.perSecond()))
                      .toList())));
    }
    return out.toString();
  }

  private static double median(List<Throughput> results, String client) {
    List<Double> values =
        results.stream()
            .filter(r -> r.client().equals(client))
            .map(Throughput::perSecond)
            .sorted()
            .toList();
    return values.isEmpty() ? Double.NaN : values.get(values.size() / 2);
  }
}
