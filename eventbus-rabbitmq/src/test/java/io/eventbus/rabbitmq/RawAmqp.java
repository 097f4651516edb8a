package io.eventbus.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import io.eventbus.testkit.junit5.EventBusFixture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The raw amqp-client on the fixture's broker, for what these tests check below the bus: the wire
 * format, queues declared by hand, queue depths. Everything else (the broker, names, cleanup,
 * recording, awaiting) is the testkit's fixture. Queues declared through {@link #queue(String)} are
 * deleted on {@link #close()}.
 */
final class RawAmqp implements AutoCloseable {
  private final Connection connection;
  private final String exchange;
  private final List<String> queues = new ArrayList<>();

  private RawAmqp(Connection connection, String exchange) {
    this.connection = connection;
    this.exchange = exchange;
  }

  /** A connection to {@code fixture}'s broker, knowing its exchange. */
  static RawAmqp open(EventBusFixture fixture) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(fixture.broker().uri());
    factory.setAutomaticRecoveryEnabled(false);
    return new RawAmqp(factory.newConnection("eventbus-it-raw"), fixture.exchange());
  }

  /** A new channel, closed with this connection. */
  Channel channel() throws IOException {
    return connection.createChannel();
  }

  /**
   * A classic queue of a unique name, declared with {@code arguments} and bound to the fixture's
   * exchange (declared if needed) for {@code routingKey}; deleted on close.
   */
  String queue(String routingKey, Map<String, Object> arguments) throws IOException {
    String name = "raw-" + UUID.randomUUID().toString().substring(0, 8);
    queues.add(name);
    try (Channel channel = channel()) {
      channel.exchangeDeclare(exchange, "topic", true);
      channel.queueDeclare(name, true, false, false, arguments);
      channel.queueBind(name, exchange, routingKey);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
    return name;
  }

  /** Publishes a hand-built message to the fixture's exchange. */
  void publish(String routingKey, AMQP.BasicProperties properties, byte[] body) throws Exception {
    try (Channel channel = channel()) {
      channel.basicPublish(exchange, routingKey, properties, body);
    }
  }

  /** How many messages are ready in {@code queue}. */
  long messageCount(String queue) throws Exception {
    try (Channel channel = channel()) {
      return channel.messageCount(queue);
    }
  }

  /** How many consumers {@code queue} has at the broker (a passive declare). */
  long consumerCount(String queue) throws Exception {
    try (Channel channel = channel()) {
      return channel.consumerCount(queue);
    }
  }

  /** Every message of {@code queue}, read with basic.get and acknowledged, until it is empty. */
  List<GetResponse> drain(String queue) throws Exception {
    List<GetResponse> messages = new ArrayList<>();
    try (Channel channel = channel()) {
      for (GetResponse response = channel.basicGet(queue, true);
          response != null;
          response = channel.basicGet(queue, true)) {
        messages.add(response);
      }
    }
    return messages;
  }

  /**
   * The next {@code count} messages of {@code queue}, consumed and acknowledged (any beyond {@code
   * count} stay in the queue), failing if they do not arrive within {@code timeout}.
   */
  List<GetResponse> awaitMessages(String queue, int count, Duration timeout) throws Exception {
    BlockingQueue<GetResponse> received = new LinkedBlockingQueue<>();
    try (Channel channel = channel()) {
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
      long deadline = System.nanoTime() + timeout.toNanos();
      while (messages.size() < count) {
        GetResponse next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
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

  /**
   * Consumes {@code queue} until every one of {@code ids} has been seen (by message id), and
   * returns the ids seen, others included; fails if some do not arrive within {@code timeout}.
   */
  Set<String> awaitIds(String queue, Set<String> ids, Duration timeout) throws Exception {
    Set<String> seen = new HashSet<>();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (Channel channel = channel()) {
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
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!seen.containsAll(ids)) {
        String next = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
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

  /** The headers of {@code message} as strings. */
  static Map<String, String> text(GetResponse message) {
    Map<String, String> text = new HashMap<>();
    Map<String, Object> headers = message.getProps().getHeaders();
    if (headers != null) {
      headers.forEach((name, value) -> text.put(name, String.valueOf(value)));
    }
    return text;
  }

  @Override
  public void close() throws Exception {
    try (Channel channel = channel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
    }
    connection.close();
  }
}
