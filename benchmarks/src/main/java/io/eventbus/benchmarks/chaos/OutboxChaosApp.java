package io.eventbus.benchmarks.chaos;

import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.EventBus;
import io.eventbus.PublishOptions;
import io.eventbus.jdbc.Outbox;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * The application process of the outbox chaos run: commits {@code --events} orders at {@code
 * --rate} per second, each transaction inserting the order and storing its {@link OutboxChaosEvent}
 * (id {@code <run>-<n>}) through an outbox that only stores; the relay runs elsewhere. A commit
 * that fails is retried, so every order ends up committed exactly once.
 */
public final class OutboxChaosApp {
  private OutboxChaosApp() {}

  public static void main(String[] args) throws Exception {
    Arguments arguments = new Arguments(args);
    int events = arguments.number("--events");
    int rate = arguments.number("--rate");
    String run = arguments.text("--run");
    String schema = arguments.text("--schema");
    try (HikariDataSource database = ChaosDatabase.pool(arguments.text("--jdbc"), "chaos-app", 4);
        EventBus bus =
            EventBus.builder()
                .transport(
                    RabbitTransport.builder()
                        .uri(arguments.text("--uris"))
                        .connectionName("chaos-outbox-app")
                        .topology(
                            RabbitTopology.defaults().withExchange(arguments.text("--exchange")))
                        .build())
                .source("/chaos/orders")
                .register(OutboxChaosEvent.class)
                .build();
        Outbox outbox =
            Outbox.builder(bus, database)
                .tables(ChaosDatabase.tables(schema))
                .relayThreads(0)
                .build()) {
      long start = System.nanoTime();
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      for (int i = 0; i < events; i++) {
        long wait = start + i * interval - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        commit(database, outbox, schema, run, i);
      }
    }
    System.out.println("chaos-outbox-app: done");
  }

  private static void commit(
      HikariDataSource database, Outbox outbox, String schema, String run, int i)
      throws InterruptedException {
    String id = run + "-" + i;
    String orderId = "order-" + (i % 200);
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = database.getConnection()) {
        connection.setAutoCommit(false);
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO " + schema + ".orders (order_id, event_id) VALUES (?, ?)")) {
          insert.setString(1, orderId);
          insert.setString(2, id);
          insert.executeUpdate();
        }
        outbox.store(
            connection, new OutboxChaosEvent(orderId, i), PublishOptions.none().withId(id));
        connection.commit();
        return;
      } catch (SQLException | RuntimeException e) {
        System.err.println("chaos-outbox-app: order " + id + " attempt " + attempt + ": " + e);
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }
}
