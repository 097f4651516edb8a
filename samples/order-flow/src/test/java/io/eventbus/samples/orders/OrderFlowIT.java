package io.eventbus.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.SubscriptionOptions;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.samples.orders.Outcomes.OrderOutcome;
import io.eventbus.samples.orders.analytics.AnalyticsHandlers;
import io.eventbus.samples.orders.billing.BillingHandlers;
import io.eventbus.samples.orders.notification.NotificationHandlers;
import io.eventbus.samples.orders.points.PointsHandlers;
import io.eventbus.samples.orders.shipping.ShippingHandlers;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole flow on a real broker, in a namespace of its own (exchange and queues), deleted
 * afterwards: a running demo on the same broker is not disturbed.
 */
@EventBusTest(transport = TransportKind.BROKER)
class OrderFlowIT {
  private final String namespace = "order-flow-it-" + UUID.randomUUID().toString().substring(0, 8);
  private Broker broker;

  @Test
  void everyOrderReachesItsExpectedStateOnTheBroker(Broker broker) {
    this.broker = broker;
    FlowOptions options =
        FlowOptions.parse(
            "--uri",
            broker.uri(),
            "--orders",
            "8",
            "--rate",
            "20",
            "--namespace",
            namespace,
            "--payment-outage",
            "1s");
    FlowRun run = FlowRun.of(options);
    int code = run.code();
    String printed = run.printed();
    OrderFlow flow = run.flow();
    assertThat(code).as(printed).isZero();
    assertThat(printed.lines().findFirst().orElseThrow())
        .contains("on RabbitMQ")
        .contains("exchange " + namespace)
        .doesNotContain("IN MEMORY");
    assertThat(printed).contains("billing       8 payments captured").contains(", 0 parked");
    // With the local PostgreSQL (as on CI) the order service uses the outbox, shipping the inbox.
    assertThat(printed.lines().skip(1).findFirst().orElseThrow())
        .containsAnyOf("through the transactional outbox", "no PostgreSQL answers");
    List<OrderOutcome> outcomes = flow.outcomes();
    assertThat(outcomes).hasSize(8).allMatch(OrderOutcome::asExpected, "as expected");
    assertThat(outcomes)
        .filteredOn(outcome -> !outcome.poison())
        .extracting(OrderOutcome::shipping)
        .containsOnly("dispatched");
    assertThat(outcomes)
        .filteredOn(OrderOutcome::poison)
        .singleElement()
        .satisfies(
            poison -> {
              assertThat(poison.shipping()).isEqualTo("parked");
              assertThat(printed)
                  .contains(namespace + ".shipping.dlq  " + poison.orderId())
                  .contains("InvalidOrderException");
            });
  }

  @AfterEach
  void dropTheNamespacesSchema() {
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection(FlowOptions.DEFAULT_JDBC);
        java.sql.Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + OrdersDatabase.schemaOf(namespace) + " CASCADE");
    } catch (java.sql.SQLException e) {
      // no PostgreSQL: the flow made no schema
    }
  }

  @AfterEach
  void deleteTheNamespace() throws Exception {
    if (broker == null) {
      return;
    }
    RabbitTopology topology = RabbitTopology.defaults().withExchange(namespace);
    List<SubscriptionOptions> subscriptions =
        List.of(
            ShippingHandlers.options(namespace + ".shipping").build(),
            NotificationHandlers.options(namespace + ".notification").build(),
            PointsHandlers.options(namespace + ".points").build(),
            BillingHandlers.options(namespace + ".billing").build(),
            AnalyticsHandlers.options(namespace + ".analytics").build());
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.uri());
    try (Connection connection = factory.newConnection("order-flow-it-cleanup");
        Channel channel = connection.createChannel()) {
      List<String> exchanges = new ArrayList<>(List.of(namespace, topology.requestExchange()));
      for (SubscriptionOptions subscription : subscriptions) {
        String name = subscription.name();
        if (subscription.ordering() == Ordering.PARTITIONED) {
          for (int k = 0; k < topology.partitions(); k++) {
            channel.queueDelete(topology.partitionQueue(name, k));
          }
          exchanges.add(topology.partitionExchange(name));
          exchanges.add(topology.unkeyedExchange(name));
        } else {
          channel.queueDelete(name);
        }
        for (var delay : subscription.redeliveryDelays()) {
          channel.queueDelete(topology.retryQueue(name, delay));
        }
        channel.queueDelete(topology.deadLetterQueue(name));
      }
      for (String exchange : exchanges) {
        channel.exchangeDelete(exchange);
      }
    }
  }
}
