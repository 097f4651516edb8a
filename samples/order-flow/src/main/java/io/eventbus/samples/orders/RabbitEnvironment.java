package io.eventbus.samples.orders;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusException;
import io.eventbus.SubscriptionOptions;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The flow on RabbitMQ: each service connects on its own, as it would from its own process, to one
 * exchange of the flow's. A monitor transport reads the dead-letter queues; a plain amqp-client
 * connection reads queue depths, which eventbus does not report yet.
 */
final class RabbitEnvironment implements FlowEnvironment {
  private final String uri;
  private final String where;
  private final RabbitTopology topology;
  private final RabbitTransport monitor;
  private final Connection depths;
  private Channel channel;

  RabbitEnvironment(String uri, String exchange) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.where = FlowOptions.redacted(uri);
    this.topology = RabbitTopology.defaults().withExchange(exchange);
    this.monitor = connect("monitor");
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      factory.setConnectionTimeout(5_000);
      factory.setChannelRpcTimeout(5_000);
      this.depths = factory.newConnection("order-flow-queue-depths");
      this.channel = depths.createChannel();
    } catch (IOException
        | TimeoutException
        | java.security.GeneralSecurityException
        | java.net.URISyntaxException e) {
      monitor.close();
      throw new EventBusException("Could not connect to " + where + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String description() {
    return "RabbitMQ at " + where + " (exchange " + topology.exchange() + ")";
  }

  @Override
  public boolean inMemory() {
    return false;
  }

  @Override
  public Transport transport(String service) {
    return connect(service);
  }

  private RabbitTransport connect(String service) {
    return RabbitTransport.builder()
        .uri(uri)
        .connectionName("order-flow-" + service)
        .topology(topology)
        .connectTimeout(Duration.ofSeconds(5))
        .shutdownTimeout(Duration.ofSeconds(5))
        .build();
  }

  @Override
  public long backlog(SubscriptionOptions subscription) {
    String name = subscription.name();
    List<String> queues = new ArrayList<>();
    if (subscription.ordering() == Ordering.PARTITIONED) {
      for (int k = 0; k < topology.partitions(); k++) {
        queues.add(topology.partitionQueue(name, k));
      }
    } else {
      queues.add(name);
    }
    subscription.redeliveryDelays().forEach(delay -> queues.add(topology.retryQueue(name, delay)));
    long waiting = 0;
    for (String queue : queues) {
      waiting += depth(queue);
    }
    return waiting;
  }

  /** Ready messages in {@code queue}; 0 for a queue that does not exist (yet). */
  private synchronized long depth(String queue) {
    try {
      if (!channel.isOpen()) {
        channel = depths.createChannel();
      }
      return channel.messageCount(queue);
    } catch (IOException | RuntimeException e) {
      return 0; // a passive declare of a missing queue closes the channel; reopened next time
    }
  }

  @Override
  public long deadLetterCount(String subscription) {
    return monitor.deadLetters(subscription).count();
  }

  @Override
  public List<Parked> deadLetters(String subscription, Predicate<Parked> filter) {
    return monitor.deadLetters(subscription).peek(10_000).stream()
        .map(RabbitEnvironment::parked)
        .filter(filter)
        .toList();
  }

  private static Parked parked(ParkedEvent event) {
    return new Parked(
        event.headers().getOrDefault(CloudEventsAttributes.CORRELATION_ID, ""),
        Objects.requireNonNullElse(event.eventType(), ""),
        event.reason(),
        Parked.simpleName(event.errorType()),
        event.errorMessage(),
        event.attempts());
  }

  @Override
  public void close() {
    monitor.close();
    try {
      depths.close(2_000);
    } catch (IOException | RuntimeException e) {
      // closing anyway: nothing to do about a connection that is already gone
    }
  }
}
