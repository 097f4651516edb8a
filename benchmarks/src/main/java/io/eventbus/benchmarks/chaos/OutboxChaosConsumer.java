package io.eventbus.benchmarks.chaos;

import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.JdbcTransaction;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The consuming process of the outbox chaos run: an idempotent subscription (the inbox) whose
 * handler records each event's effect as a row of {@code <schema>.handled} in the inbox's
 * transaction; a middleware outside the inbox logs every delivery the broker made to {@code
 * deliveries.log}, duplicates included. Prints {@code READY}.
 */
public final class OutboxChaosConsumer {
  private OutboxChaosConsumer() {}

  public static void main(String[] args) throws Exception {
    Arguments arguments = new Arguments(args);
    String schema = arguments.text("--schema");
    HikariDataSource database = ChaosDatabase.pool(arguments.text("--jdbc"), "chaos-consumer", 6);
    Inbox inbox = Inbox.builder(database).tables(ChaosDatabase.tables(schema)).build();
    IdLog deliveries = new IdLog(Path.of(arguments.text("--dir")).resolve("deliveries.log"));
    EventBus bus =
        EventBus.builder()
            .transport(
                RabbitTransport.builder()
                    .uri(arguments.text("--uris"))
                    .connectionName("chaos-outbox-consumer")
                    .topology(RabbitTopology.defaults().withExchange(arguments.text("--exchange")))
                    .heartbeat(Duration.ofSeconds(5))
                    .recoveryInterval(Duration.ofMillis(500))
                    .shutdownTimeout(Duration.ofSeconds(5))
                    .build())
            .subscribe(
                SubscriptionOptions.builder(arguments.text("--subscription"))
                    .concurrency(4)
                    .prefetch(100)
                    .middleware(
                        (delivery, chain) -> {
                          deliveries.append(delivery.metadata().id());
                          chain.proceed(delivery);
                        })
                    .middleware(inbox.middleware())
                    .build(),
                Handlers.builder()
                    .on(
                        OutboxChaosEvent.class,
                        (OutboxChaosEvent event, EventContext context) -> {
                          try (PreparedStatement insert =
                              JdbcTransaction.current()
                                  .prepareStatement(
                                      "INSERT INTO " + schema + ".handled (event_id) VALUES (?)")) {
                            insert.setString(1, context.metadata().id());
                            insert.executeUpdate();
                          }
                        })
                    .build())
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  bus.close();
                  inbox.close();
                  database.close();
                  deliveries.close();
                  stopped.countDown();
                }));
    System.out.println("READY");
    System.out.flush();
    stopped.await();
  }
}
