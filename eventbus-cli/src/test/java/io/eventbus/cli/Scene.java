package io.eventbus.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bus on its own exchange whose subscriptions park what their handlers fail on, for the tool to
 * look at; every queue and exchange it made is deleted on close.
 */
final class Scene implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  @EventType("cli.order.placed.v1")
  record OrderPlaced(String orderId) {}

  @EventType("cli.payment.failed.v1")
  record PaymentFailed(String orderId, long amountCents) {}

  /** Fails every event while {@link #broken}; records the ids it handled afterwards. */
  static final class Flaky {
    final AtomicBoolean broken = new AtomicBoolean(true);
    final Set<String> handled = ConcurrentHashMap.newKeySet();

    @EventHandler
    void on(OrderPlaced event, io.eventbus.EventContext context) {
      if (broken.get()) {
        throw new UnsupportedOperationException("no warehouse for " + event.orderId());
      }
      handled.add(context.metadata().id());
    }

    @EventHandler
    void on(PaymentFailed event, io.eventbus.EventContext context) {
      if (broken.get()) {
        throw new IllegalStateException("payment provider down");
      }
      handled.add(context.metadata().id());
    }
  }

  final String uri;
  final String exchange = "cli-" + UUID.randomUUID().toString().substring(0, 8);
  final RabbitTopology topology = RabbitTopology.defaults().withExchange(exchange);
  private final Connection admin;
  private final List<String> queues = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  Scene(String uri) throws Exception {
    this.uri = uri;
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    admin = factory.newConnection("eventbus-cli-it-admin");
  }

  /** A unique subscription name; its queues are deleted on close. */
  String subscription(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    queues.add(name);
    queues.add(topology.deadLetterQueue(name));
    return name;
  }

  RabbitTransport transport() {
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri(uri)
            .topology(topology)
            .connectionName("eventbus-cli-it")
            .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(10)))
            .shutdownTimeout(Duration.ofSeconds(5))
            .build();
    closeables.add(transport);
    return transport;
  }

  /** A bus with {@code handlers} subscribed as {@code subscription}: no retries, parks at once. */
  EventBus bus(String subscription, Object handlers, int concurrency) {
    return bus(subscription, handlers, concurrency, new Duration[0]);
  }

  /**
   * A bus with {@code handlers} subscribed as {@code subscription}, no in-process retries, and
   * these redelivery delays before parking.
   */
  EventBus bus(String subscription, Object handlers, int concurrency, Duration... delays) {
    for (Duration delay : delays) {
      queues.add(topology.retryQueue(subscription, delay));
    }
    EventBus bus =
        EventBus.builder()
            .transport(transport())
            .subscribe(
                SubscriptionOptions.builder(subscription)
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays(delays)
                    .concurrency(concurrency)
                    .build(),
                Handlers.scan(handlers))
            .build();
    closeables.add(bus);
    return bus;
  }

  /** A bus that only publishes. */
  EventBus publisher() {
    EventBus bus =
        EventBus.builder()
            .transport(transport())
            .register(OrderPlaced.class)
            .register(PaymentFailed.class)
            .build();
    closeables.add(bus);
    return bus;
  }

  /** Waits until {@code subscription}'s dead-letter queue holds {@code count} messages. */
  void awaitParked(String subscription, long count) throws Exception {
    awaitCount(topology.deadLetterQueue(subscription), count);
  }

  void awaitCount(String queue, long count) {
    Await.until(WAIT, () -> messageCount(queue), n -> n == count, queue + " holding " + count);
  }

  long messageCount(String queue) throws Exception {
    try (Channel channel = admin.createChannel()) {
      return channel.messageCount(queue);
    }
  }

  /** The message ids in {@code queue}, taken out of it. */
  List<String> drainIds(String queue) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Channel channel = admin.createChannel()) {
      for (GetResponse response = channel.basicGet(queue, true);
          response != null;
          response = channel.basicGet(queue, true)) {
        ids.add(response.getProps().getMessageId());
      }
    }
    return ids;
  }

  Connection admin() {
    return admin;
  }

  RabbitDeadLetters deadLetters(String subscription) {
    return transport().deadLetters(subscription);
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // already closed
      }
    }
    try (Channel channel = admin.createChannel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
      channel.exchangeDelete(exchange);
    }
    admin.close();
  }
}
