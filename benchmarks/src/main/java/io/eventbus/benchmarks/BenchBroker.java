package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmarks' view of the broker: an admin connection for declaring, counting and deleting
 * queues, and a raw publisher that fills a queue before a consume run. Everything it creates lives
 * on the exchange {@value #EXCHANGE} and is deleted by the run that made it.
 */
final class BenchBroker implements AutoCloseable {
  static final String EXCHANGE = "eventbus.bench";
  private static final int FILL_WINDOW = 4_096;

  /** Oddities seen during the runs, for the report. */
  static final List<String> WARNINGS = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What {@code --uri} means when not given: a private node of the benchmark's own. */
  static final String PRIVATE = "private";

  private final String uri;
  private final Connection admin;
  private final PrivateRabbitNode node;

  BenchBroker(String uri) throws Exception {
    this(uri, null);
  }

  private BenchBroker(String uri, PrivateRabbitNode node) throws Exception {
    this.uri = uri;
    this.node = node;
    this.admin = factory().newConnection("bench-admin");
    try (Channel channel = admin.createChannel()) {
      channel.exchangeDeclare(EXCHANGE, "topic", true);
    }
  }

  /**
   * The broker {@code uri} names or, for {@value #PRIVATE} (the default of every benchmark), a
   * private RabbitMQ node started for this run from the installed rabbitmq-server (its own node
   * name, port, data folder), stopped and deleted by {@link #close()}; its CPU time is then
   * measured too ({@link BrokerCpu}). Benchmarks flood and drain the broker: never point them at a
   * shared node.
   */
  static BenchBroker open(String uri) throws Exception {
    if (!PRIVATE.equals(uri)) {
      return new BenchBroker(uri, null);
    }
    PrivateRabbitNode node = PrivateRabbitNode.start();
    try {
      BrokerCpu.watch(Long.parseLong(Files.readString(node.folder().resolve("pid")).strip()));
      System.out.println("broker: " + node.description());
      return new BenchBroker(node.uri(), node);
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  String uri() {
    return uri;
  }

  /** Where the broker runs, for reports: the private node or the host and port of the URI. */
  String description() {
    return node != null
        ? "a private node started for this run (" + node.nodeName() + ")"
        : Redactions.hostAndPort(uri);
  }

  /** A fresh amqp-client factory for {@link #uri()}, without the client's automatic recovery. */
  ConnectionFactory factory() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setHandshakeTimeout(30_000);
    return factory;
  }

  /** The broker's version as it announces itself, for example {@code 3.10.8}. */
  String version() {
    Object version = admin.getServerProperties().get("version");
    return version == null ? "unknown" : version.toString();
  }

  /** A queue name unique to this run: {@code bench-<what>-<queueType>-<8 hex>}. */
  static String uniqueName(String what, String queueType) {
    return "bench-" + what + "-" + queueType + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Declares a subscription's queues (queue, dead-letter and retry queues, bindings) exactly as
   * eventbus does, by starting and closing a subscription with no events waiting, so that the raw
   * client, eventbus and Spring AMQP consume from identical queues.
   */
  void declareSubscription(String name, Class<?> eventClass, String queueType) {
    try (EventBus bus =
        EventBus.builder()
            .transport(transport("bench-declare", queueType))
            .source("/bench")
            .build()) {
      bus.subscribe(
              SubscriptionOptions.named(name),
              Handlers.builder().on(eventClass, (event, context) -> {}).build())
          .close();
    }
  }

  /** A transport on the benchmark exchange with {@code queueType} queues. */
  RabbitTransport transport(String connectionName, String queueType) {
    return RabbitTransport.builder()
        .uri(uri)
        .connectionName(connectionName)
        .topology(
            RabbitTopology.defaults()
                .withExchange(EXCHANGE)
                .withQueueType(
                    RabbitTopology.QueueType.valueOf(queueType.toUpperCase(Locale.ROOT))))
        .publisher(PublisherSettings.defaults().withTimeout(Duration.ofMinutes(2)))
        .build();
  }

  /** The queues {@link #declareSubscription} declares for {@code name}, to delete afterwards. */
  static List<String> subscriptionQueues(String name) {
    RabbitTopology topology = RabbitTopology.defaults();
    List<String> queues = new ArrayList<>();
    queues.add(name);
    queues.add(topology.deadLetterQueue(name));
    for (Duration delay : SubscriptionOptions.named(name).redeliveryDelays()) {
      queues.add(topology.retryQueue(name, delay));
    }
    return queues;
  }

  /** A classic or quorum queue bound to the exchange with {@code routingKey}, nothing else. */
  void declarePlainQueue(String queue, String queueType, String routingKey) throws IOException {
    try (Channel channel = admin.createChannel()) {
      channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", queueType));
      channel.queueBind(queue, EXCHANGE, routingKey);
    } catch (TimeoutException e) {
      throw new IOException(e);
    }
  }

  /** Messages ready in {@code queue}, by a passive declare; -1 if the queue does not exist. */
  long ready(String queue) {
    try (Channel channel = admin.createChannel()) {
      return channel.queueDeclarePassive(queue).getMessageCount();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Deletes the queues (missing ones are fine). */
  void delete(List<String> queues) throws Exception {
    for (String queue : queues) {
      try (Channel channel = admin.createChannel()) {
        channel.queueDelete(queue);
      }
    }
  }

  /**
   * Publishes {@code events} copies of {@code body} with the raw client and waits for every
   * confirm, then waits until the queue counts them all as ready.
   */
  void fill(
      String queue, String routingKey, AMQP.BasicProperties properties, byte[] body, int events)
      throws Exception {
    try (Connection connection = factory().newConnection("bench-fill")) {
      Channel channel = connection.createChannel();
      CountDownLatch confirmed = new CountDownLatch(events);
      AtomicInteger nacked = new AtomicInteger();
      Outstanding outstanding =
          new Outstanding(
              channel,
              FILL_WINDOW,
              (count, nack) -> {
                if (nack) {
                  nacked.addAndGet(count);
                }
                for (int i = 0; i < count; i++) {
                  confirmed.countDown();
                }
              });
      for (int i = 0; i < events; i++) {
        outstanding.beforePublish(channel);
        channel.basicPublish(EXCHANGE, routingKey, true, properties, body);
      }
      if (!confirmed.await(5, TimeUnit.MINUTES) || nacked.get() > 0) {
        throw new IllegalStateException(
            "filling "
                + queue
                + ": "
                + confirmed.getCount()
                + " unconfirmed, "
                + nacked
                + " nacked");
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ready(queue) < events) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(queue + " holds " + ready(queue) + " of " + events);
      }
      Thread.sleep(50);
    }
  }

  static void warn(String warning) {
    System.out.println("WARNING: " + warning);
    WARNINGS.add(warning);
  }

  /** Removes the benchmark exchange if nothing is bound to it any more. */
  void deleteExchangeIfUnused() {
    try (Channel channel = admin.createChannel()) {
      channel.exchangeDelete(EXCHANGE, true);
    } catch (Exception e) {
      // Still in use by another benchmark, or already gone: leave it.
    }
  }

  @Override
  public void close() throws IOException {
    try {
      admin.close();
    } finally {
      if (node != null) {
        BrokerCpu.watch(-1);
        node.close();
      }
    }
  }
}
