package io.eventbus.benchmarks.chaos;

import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.EventBus;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.Outbox;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.fault.ConnectionCutter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox chaos run: three JVMs against a private RabbitMQ node and the local PostgreSQL. An
 * application commits orders, each storing its event through the outbox, at a fixed rate; a relay
 * process sends them and is killed with SIGKILL and restarted every few seconds, while its broker
 * connection is cut through a proxy; a consumer handles them through the inbox, recording each
 * handled event as a row in the same transaction. Judged by event id from the database: lost =
 * committed orders whose event was never handled; handled duplicates = events whose effect was
 * recorded more than once.
 */
public final class OutboxChaosRun {
  private static final Logger log = LoggerFactory.getLogger(OutboxChaosRun.class);
  private static final Duration SETTLE = Duration.ofMinutes(2);

  /** What one run counted. */
  public record Result(
      Duration length,
      int rate,
      int committed,
      int handledUnique,
      int handledDuplicates,
      int deliveries,
      int deliveryDuplicates,
      int lost,
      int relayKills,
      int cuts,
      Duration elapsed) {}

  private final Path work;
  private final String jdbcUrl;

  public OutboxChaosRun(Path work, String jdbcUrl) {
    this.work = work;
    this.jdbcUrl = jdbcUrl;
  }

  /** Runs for {@code length} at {@code rate}, killing the relay and cutting its broker link. */
  public Result run(
      PrivateRabbitNode node, Duration length, int rate, Duration killEvery, Duration cutEvery)
      throws Exception {
    String run = "outbox-" + UUID.randomUUID().toString().substring(0, 6);
    String schema = "chaos_" + run.replace('-', '_');
    Path dir = Files.createDirectories(work.resolve(run));
    String exchange = "chaos-" + run;
    int events = (int) (rate * length.toSeconds());
    long started = System.nanoTime();
    List<Process> processes = new ArrayList<>();
    try (HikariDataSource database = ChaosDatabase.pool(jdbcUrl, "chaos-judge", 2);
        ConnectionCutter cutter = ConnectionCutter.start(node.host(), node.port())) {
      createTables(database, schema);
      List<String> common =
          List.of(
              "--jdbc",
              jdbcUrl,
              "--schema",
              schema,
              "--exchange",
              exchange,
              "--dir",
              dir.toString());
      List<String> consumerArgs = new ArrayList<>(common);
      consumerArgs.addAll(List.of("--uris", node.uri(), "--subscription", "shipping-" + run));
      processes.add(
          ChaosRun.start(OutboxChaosConsumer.class, consumerArgs, dir.resolve("consumer.out")));
      List<String> relayArgs = new ArrayList<>(common);
      relayArgs.addAll(List.of("--uris", cutter.proxiedUri(node.uri())));
      int generation = 1;
      Process relay = ChaosRun.start(OutboxChaosRelay.class, relayArgs, dir.resolve("relay-1.out"));
      List<String> appArgs = new ArrayList<>(common);
      appArgs.addAll(
          List.of(
              "--uris", node.uri(), "--events", "" + events, "--rate", "" + rate, "--run", run));
      Process app = ChaosRun.spawn(OutboxChaosApp.class, appArgs, dir.resolve("app.out"));
      processes.add(app);

      int kills = 0;
      int cuts = 0;
      long nextKill = System.nanoTime() + killEvery.toNanos();
      long nextCut = System.nanoTime() + cutEvery.toNanos() / 2;
      while (!app.waitFor(100, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (now >= nextKill) {
          relay.destroyForcibly();
          relay.waitFor(10, TimeUnit.SECONDS);
          kills++;
          generation++;
          relay =
              ChaosRun.start(
                  OutboxChaosRelay.class, relayArgs, dir.resolve("relay-" + generation + ".out"));
          nextKill = System.nanoTime() + killEvery.toNanos();
        }
        if (now >= nextCut) {
          cutter.cutAll();
          cuts++;
          nextCut = now + cutEvery.toNanos();
        }
        if (System.nanoTime() - started > length.plus(SETTLE).toNanos()) {
          app.destroyForcibly();
          throw new IllegalStateException("the application did not finish; see " + dir);
        }
      }
      processes.add(relay);
      int committed = (int) count(database, "SELECT count(*) FROM " + schema + ".orders");
      long until = System.nanoTime() + SETTLE.toNanos();
      while (System.nanoTime() < until && lost(database, schema) > 0) {
        TimeUnit.MILLISECONDS.sleep(200);
      }
      // Let late duplicates (re-sent after the last kill) arrive before counting them.
      TimeUnit.SECONDS.sleep(2);
      List<String> delivered = IdLog.read(dir.resolve("deliveries.log"));
      Result result =
          new Result(
              length,
              rate,
              committed,
              (int) count(database, "SELECT count(DISTINCT event_id) FROM " + schema + ".handled"),
              (int)
                  count(
                      database,
                      "SELECT count(*) - count(DISTINCT event_id) FROM " + schema + ".handled"),
              delivered.size(),
              delivered.size() - new HashSet<>(delivered).size(),
              (int) lost(database, schema),
              kills,
              cuts,
              Duration.ofNanos(System.nanoTime() - started));
      log.info("outbox chaos: {}", result);
      return result;
    } finally {
      for (Process process : processes) {
        process.destroy();
      }
      for (Process process : processes) {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      dropSchema(schema);
    }
  }

  private static void createTables(HikariDataSource database, String schema) throws SQLException {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
      statement.execute(
          "CREATE TABLE " + schema + ".orders (order_id text NOT NULL, event_id text PRIMARY KEY)");
      statement.execute(
          "CREATE TABLE "
              + schema
              + ".handled (event_id text NOT NULL, handled_at timestamptz NOT NULL DEFAULT"
              + " clock_timestamp())");
    }
    try (EventBus bus = EventBus.builder().transport(InMemoryTransport.create()).build();
        Outbox outbox =
            Outbox.builder(bus, database)
                .tables(ChaosDatabase.tables(schema))
                .createSchema(true)
                .relayThreads(0)
                .build();
        Inbox inbox =
            Inbox.builder(database)
                .tables(ChaosDatabase.tables(schema))
                .createSchema(true)
                .build()) {
      log.debug("created {} and {}", outbox.tables().outbox(), inbox.tables().inbox());
    }
  }

  private void dropSchema(String schema) {
    try (HikariDataSource database = ChaosDatabase.pool(jdbcUrl, "chaos-cleanup", 1);
        Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException | RuntimeException e) {
      log.warn("Could not drop {}: {}", schema, e.getMessage());
    }
  }

  private static long lost(HikariDataSource database, String schema) throws SQLException {
    return count(
        database,
        "SELECT count(*) FROM "
            + schema
            + ".orders o WHERE NOT EXISTS (SELECT 1 FROM "
            + schema
            + ".handled h WHERE h.event_id = o.event_id)");
  }

  private static long count(HikariDataSource database, String sql) throws SQLException {
    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  /** The markdown table of runs. */
  static String table(List<Result> results) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| length | rate | faults applied | orders committed | events handled (unique) | lost |"
            + " handled duplicates | broker deliveries | duplicate deliveries absorbed | took |\n");
    table.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %d s | %,d/s | relay SIGKILLed %d times, broker connection cut %d times |"
                  + " %,d | %,d | **%d** | **%d** | %,d | %,d | %d s |%n",
              r.length().toSeconds(),
              r.rate(),
              r.relayKills(),
              r.cuts(),
              r.committed(),
              r.handledUnique(),
              r.lost(),
              r.handledDuplicates(),
              r.deliveries(),
              r.deliveryDuplicates(),
              r.elapsed().toSeconds()));
    }
    return table.toString();
  }
}
