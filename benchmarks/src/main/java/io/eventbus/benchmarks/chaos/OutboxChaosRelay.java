package io.eventbus.benchmarks.chaos;

import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.EventBus;
import io.eventbus.jdbc.Outbox;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The relay process of the outbox chaos run: an outbox with two relay threads, publishing through a
 * bus whose broker connection goes through the run's connection cutter. Prints {@code READY}; it is
 * meant to be killed with SIGKILL.
 */
public final class OutboxChaosRelay {
  private OutboxChaosRelay() {}

  public static void main(String[] args) throws Exception {
    Arguments arguments = new Arguments(args);
    HikariDataSource database = ChaosDatabase.pool(arguments.text("--jdbc"), "chaos-relay", 4);
    EventBus bus =
        EventBus.builder()
            .transport(
                RabbitTransport.builder()
                    .uri(arguments.text("--uris"))
                    .connectionName("chaos-outbox-relay")
                    .topology(RabbitTopology.defaults().withExchange(arguments.text("--exchange")))
                    .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(5)))
                    .heartbeat(Duration.ofSeconds(5))
                    .recoveryInterval(Duration.ofMillis(500))
                    .build())
            .build();
    Outbox outbox =
        Outbox.builder(bus, database)
            .tables(ChaosDatabase.tables(arguments.text("--schema")))
            .relayThreads(2)
            .batchSize(100)
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  outbox.close();
                  bus.close();
                  database.close();
                  stopped.countDown();
                }));
    System.out.println("READY");
    System.out.flush();
    stopped.await();
  }
}
