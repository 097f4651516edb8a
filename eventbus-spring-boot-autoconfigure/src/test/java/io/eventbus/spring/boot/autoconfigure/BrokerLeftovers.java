package io.eventbus.spring.boot.autoconfigure;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a test declared on the shared broker through a Spring context: its exchange and the queues
 * of its subscriptions, deleted at the end (a test must leave nothing behind).
 */
final class BrokerLeftovers {
  private final String uri;
  private final RabbitTopology topology;
  private final List<SubscriptionSpec> subscriptions = new ArrayList<>();

  BrokerLeftovers(String uri, String exchange) {
    this.uri = uri;
    this.topology = RabbitTopology.defaults().withExchange(exchange);
  }

  /** Remembers subscription {@code name} with these redelivery delays and ordering. */
  BrokerLeftovers subscription(
      String name, SubscriptionOptions.Ordering ordering, Duration... redeliveryDelays) {
    subscriptions.add(
        new SubscriptionSpec(name, Set.of(), 1, 1, List.of(redeliveryDelays), ordering));
    return this;
  }

  /** A new connection to the broker, for looking at what the context declared. */
  Connection connect() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("spring-it-admin");
  }

  /** Deletes every queue and exchange remembered, then the exchange. */
  void delete() throws Exception {
    try (Connection connection = connect()) {
      for (SubscriptionSpec spec : subscriptions) {
        for (String queue : topology.queuesOf(spec)) {
          try (Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
          }
        }
        for (String exchange : topology.exchangesOf(spec)) {
          try (Channel channel = connection.createChannel()) {
            channel.exchangeDelete(exchange);
          }
        }
      }
      try (Channel channel = connection.createChannel()) {
        channel.exchangeDelete(topology.exchange());
      }
    }
  }
}
