package io.eventbus.rabbitmq;

import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The real broker the integration tests run against, and a scope of unique names that is deleted
 * afterwards. The broker is {@code EVENTBUS_TEST_AMQP_URI} or the local one; when none answers, the
 * tests fail on CI ({@code CI=true}) and are skipped elsewhere with a message saying how to get
 * one.
 */
final class TestBroker implements AutoCloseable {
  static final String URI =
      System.getenv().getOrDefault("EVENTBUS_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672");

  private static final Duration[] DEFAULT_DELAYS =
      io.eventbus.SubscriptionOptions.named("defaults").redeliveryDelays().toArray(Duration[]::new);

  final String exchange = "it-" + UUID.randomUUID();
  final RabbitTopology topology = RabbitTopology.defaults().withExchange(exchange);
  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Connection admin;

  private TestBroker() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URI);
    admin = factory.newConnection("eventbus-it-admin");
  }

  /** A scope on the broker; fails or skips as described above when there is none. */
  static TestBroker open() throws Exception {
    URI uri = new URI(URI);
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(uri.getHost(), uri.getPort() == -1 ? 5672 : uri.getPort()), 2_000);
    } catch (IOException e) {
      String message =
          "No RabbitMQ broker answers at "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + " ("
              + e.getMessage()
              + "). Start one with 'rabbitmq-server -detached' or set EVENTBUS_TEST_AMQP_URI.";
      if ("true".equals(System.getenv("CI"))) {
        fail(message);
      }
      Assumptions.abort(message);
    }
    return new TestBroker();
  }

  /**
   * A unique subscription name whose queues (with the retry queues of the default redelivery
   * delays) are deleted when the scope closes.
   */
  String subscription(String prefix) {
    return subscription(prefix, DEFAULT_DELAYS);
  }

  /**
   * A unique subscription name whose queues, retry queues ({@code delays}), partition queues and
   * exchanges are deleted when the scope closes.
   */
  String subscription(String prefix, Duration... delays) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    queues.add(name);
    queues.add(topology.deadLetterQueue(name));
    for (Duration delay : delays) {
      queues.add(topology.retryQueue(name, delay));
    }
    for (int k = 0; k < topology.partitions(); k++) {
      queues.add(topology.partitionQueue(name, k));
    }
    exchanges.add(topology.partitionExchange(name));
    exchanges.add(topology.unkeyedExchange(name));
    return name;
  }

  /** A transport on the scope's exchange, closed with the scope if the bus does not close it. */
  RabbitTransport.Builder transport() {
    return RabbitTransport.builder()
        .uri(URI)
        .topology(topology)
        .connectionName("eventbus-it")
        .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(10)))
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  /** Closes {@code bus} with the scope. */
  EventBus track(EventBus bus) {
    closeables.add(bus);
    return bus;
  }

  /** A queue declared by hand, deleted when the scope closes. */
  String rawQueue(String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    queues.add(name);
    return name;
  }

  /**
   * The next {@code count} messages of {@code queue}, consumed and acknowledged (any beyond {@code
   * count} stay in the queue), failing if they do not arrive within {@code timeout}.
   */
  List<GetResponse> awaitMessages(String queue, int count, Duration timeout) throws Exception {
    BlockingQueue<GetResponse> received = new LinkedBlockingQueue<>();
    try (Channel channel = admin.createChannel()) {
      // The prefetch limit keeps the broker from sending more than we take: nothing is requeued.
      channel.basicQos(Math.min(Math.max(count, 1), 65_535));
      String tag =
          channel.basicConsume(
              queue,
              false,
              new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(
                    String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                  received.add(new GetResponse(envelope, properties, body, 0));
                }
              });
      List<GetResponse> messages = new ArrayList<>();
      long until = System.nanoTime() + timeout.toNanos();
      while (messages.size() < count) {
        GetResponse next = received.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError(
              "Expected "
                  + count
                  + " messages in "
                  + queue
                  + " within "
                  + timeout
                  + " but got "
                  + messages.size());
        }
        messages.add(next);
      }
      channel.basicCancel(tag);
      if (count > 0) {
        channel.basicAck(messages.get(count - 1).getEnvelope().getDeliveryTag(), true);
      }
      return messages;
    }
  }

  /** Every message of {@code queue} read with basic.get and acknowledged, until it is empty. */
  List<GetResponse> drain(String queue) throws Exception {
    List<GetResponse> messages = new ArrayList<>();
    try (Channel channel = admin.createChannel()) {
      for (GetResponse response = channel.basicGet(queue, true);
          response != null;
          response = channel.basicGet(queue, true)) {
        messages.add(response);
      }
    }
    return messages;
  }

  /**
   * Consumes {@code queue} until every one of {@code ids} has been seen (by message id), and
   * returns the ids seen, others included; fails if some do not arrive within {@code timeout}.
   */
  Set<String> awaitIds(String queue, Set<String> ids, Duration timeout) throws Exception {
    Set<String> seen = new HashSet<>();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (Channel channel = admin.createChannel()) {
      channel.basicQos(500);
      channel.basicConsume(
          queue,
          true,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
              received.add(String.valueOf(properties.getMessageId()));
            }
          });
      long until = System.nanoTime() + timeout.toNanos();
      while (!seen.containsAll(ids)) {
        String next = received.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          Set<String> missing = new HashSet<>(ids);
          missing.removeAll(seen);
          throw new AssertionError(
              missing.size()
                  + " of "
                  + ids.size()
                  + " ids never arrived in "
                  + queue
                  + " within "
                  + timeout);
        }
        seen.add(next);
      }
    }
    return seen;
  }

  /** How many messages are ready in {@code queue}. */
  long messageCount(String queue) throws Exception {
    try (Channel channel = admin.createChannel()) {
      return channel.messageCount(queue);
    }
  }

  /** A channel on the raw amqp-client connection, for reading and writing messages by hand. */
  Channel rawChannel() throws IOException {
    Channel channel = admin.createChannel();
    closeables.add(channel);
    return channel;
  }

  @Override
  public void close() throws IOException, TimeoutException {
    Collections.reverse(closeables);
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // already closed
      }
    }
    try (Channel channel = admin.createChannel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
      for (String name : exchanges) {
        channel.exchangeDelete(name);
      }
      channel.exchangeDelete(exchange);
    }
    admin.close();
  }
}
