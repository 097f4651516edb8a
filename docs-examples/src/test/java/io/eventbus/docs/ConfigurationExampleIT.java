package io.eventbus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's example, on the broker the testkit provides; it deletes what it made. */
@EventBusTest(transport = TransportKind.BROKER)
class ConfigurationExampleIT {
  @EventType("docs.config.order-placed.v1")
  record OrderPlaced(String orderId) {}

  static final class Orders {
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

    @EventHandler
    void on(OrderPlaced order) {
      received.add(order.orderId());
    }
  }

  @Test
  void aTunedTransportAndSubscriptionWork(Broker broker) throws Exception {
    String uri = broker.uri();
    String exchange = "docs-config-" + UUID.randomUUID().toString().substring(0, 8);
    Orders orders = new Orders();
    String inventory = exchange + ".inventory";
    // tag::configured[]
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri(uri) // e.g. amqp://user:secret@rabbit.internal:5672/shop
            .connectionName("inventory-service")
            .topology(RabbitTopology.defaults().withExchange(exchange))
            .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(10)))
            .heartbeat(Duration.ofSeconds(30))
            .build();
    SubscriptionOptions options =
        SubscriptionOptions.builder(inventory)
            .concurrency(4)
            .prefetch(64)
            .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
            .redeliveryDelays(Duration.ofSeconds(5), Duration.ofMinutes(5))
            .build();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .source("/inventory")
            .subscribe(options, Handlers.scan(orders))
            .build()) {
      bus.publishAndWait(new OrderPlaced("o-1"));
      // end::configured[]
      assertThat(orders.received.poll(10, TimeUnit.SECONDS)).isEqualTo("o-1");
    } finally {
      Cleanup.delete(uri, exchange, inventory, ".dlq", ".retry.5000", ".retry.300000");
    }
  }
}
