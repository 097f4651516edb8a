package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBusException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery on one channel. Acks and nacks go to the channel that delivered it; if that channel
 * is gone, the broker requeues the message by itself and the settlement is dropped.
 */
final class RabbitInbound implements InboundMessage {
  private static final Logger log = LoggerFactory.getLogger(RabbitInbound.class);

  private final Channel channel;
  private final Envelope envelope;
  private final AMQP.BasicProperties properties;
  private final byte[] body;
  private final WireMessage message;
  private final String queue;
  private final String deadLetterQueue;
  private final Map<Duration, String> retryQueues;
  private final ConfirmingPublisher publisher;
  private final Duration parkTimeout;
  private final AtomicBoolean settled = new AtomicBoolean();

  RabbitInbound(
      Channel channel,
      Envelope envelope,
      AMQP.BasicProperties properties,
      byte[] body,
      String queue,
      String deadLetterQueue,
      Map<Duration, String> retryQueues,
      ConfirmingPublisher publisher,
      Duration parkTimeout) {
    this.channel = channel;
    this.envelope = envelope;
    this.properties = properties;
    this.body = body;
    this.message = AmqpMapping.wireMessage(properties, body);
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
    this.retryQueues = retryQueues;
    this.publisher = publisher;
    this.parkTimeout = parkTimeout;
  }

  @Override
  public WireMessage message() {
    return message;
  }

  @Override
  public boolean redelivered() {
    return envelope.isRedeliver();
  }

  @Override
  public int deliveryCount() {
    return BrokerHeaders.deliveryCount(properties.getHeaders());
  }

  boolean isSettled() {
    return settled.get();
  }

  @Override
  public void ack() {
    if (settled.compareAndSet(false, true)) {
      settle("ack", () -> channel.basicAck(envelope.getDeliveryTag(), false));
    }
  }

  @Override
  public void requeue() {
    if (settled.compareAndSet(false, true)) {
      settle("requeue", () -> channel.basicNack(envelope.getDeliveryTag(), false, true));
    }
  }

  @Override
  public void deadLetter(DeadLetterReason reason) {
    if (settled.get()) {
      return;
    }
    Map<String, Object> headers = headers();
    headers.putAll(reason.toHeaders());
    keepOrigin(headers);
    headers.put(DeadLetterReason.HEADER_QUEUE, queue);
    storeCopyThenAck(deadLetterQueue, headers, "parked in");
  }

  @Override
  public void redeliverAfter(Duration delay, Map<String, String> history) {
    String retryQueue = retryQueues.get(delay);
    if (retryQueue == null) {
      throw new IllegalArgumentException(
          "No retry queue for a delay of "
              + delay
              + "; the subscription has "
              + retryQueues.keySet());
    }
    if (settled.get()) {
      return;
    }
    Map<String, Object> headers = headers();
    // The broker's count of unacknowledged deliveries belongs to the original; the copy is new.
    headers.remove(BrokerHeaders.DELIVERY_COUNT);
    headers.putAll(history);
    keepOrigin(headers);
    storeCopyThenAck(retryQueue, headers, "scheduled for redelivery through");
  }

  /**
   * Re-publishes a copy to the queue this delivery came from (at its back), with {@code history}
   * and without the broker's delivery count, waits for its confirm, then acks the original: the
   * message is given back without counting towards {@code x-delivery-limit}.
   */
  @Override
  public void defer(Map<String, String> history) {
    if (settled.get()) {
      return;
    }
    Map<String, Object> headers = headers();
    headers.remove(BrokerHeaders.DELIVERY_COUNT);
    headers.putAll(history);
    storeCopyThenAck(queue, headers, "given back to");
  }

  /**
   * Gives back a delivery that never reached the pipeline (its subscription is paused): {@link
   * #defer} with the broker's delivery count, which the copy loses, added to our attempt count so
   * that the attempts stay counted. If the copy cannot be stored, the delivery is requeued.
   */
  void giveBack() {
    Map<String, String> history = new LinkedHashMap<>();
    int deliveries = deliveryCount();
    if (deliveries > 0) {
      String before = message.headers().get(DeadLetterReason.HEADER_ATTEMPTS);
      int attempts = 0;
      try {
        attempts = before == null ? 0 : Math.max(0, Integer.parseInt(before.trim()));
      } catch (NumberFormatException e) {
        attempts = 0;
      }
      history.put(
          DeadLetterReason.HEADER_ATTEMPTS,
          Long.toString(Math.min((long) attempts + deliveries, 1_000_000_000L)));
    }
    try {
      defer(history);
    } catch (RuntimeException e) {
      log.warn(
          "A delivery of {} could not be given back; requeueing it: {}", queue, e.getMessage());
      requeue();
    }
  }

  /**
   * Records where the message was first published, unless an earlier redelivery or parking did:
   * after a delayed redelivery the envelope shows the retry route, not the origin.
   */
  private void keepOrigin(Map<String, Object> headers) {
    headers.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, envelope.getExchange());
    headers.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.getRoutingKey());
  }

  private Map<String, Object> headers() {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (properties.getHeaders() != null) {
      headers.putAll(properties.getHeaders());
    }
    return headers;
  }

  /** Publishes a copy to {@code targetQueue}, waits for its confirm, then acks the original. */
  private void storeCopyThenAck(String targetQueue, Map<String, Object> headers, String what) {
    AMQP.BasicProperties copy =
        properties.builder().headers(headers).deliveryMode(AmqpMapping.PERSISTENT).build();
    String id = String.valueOf(message.headers().get(CloudEventsAttributes.ID));
    String type = String.valueOf(message.headers().get(CloudEventsAttributes.TYPE));
    CompletableFuture<Void> confirmed = publisher.publish("", targetQueue, copy, body, id, type);
    try {
      confirmed.get(parkTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new EventBusException(
          "Event "
              + id
              + " could not be "
              + what
              + " "
              + targetQueue
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new EventBusException(
          "Event " + id + " could not be " + what + " " + targetQueue + " within " + parkTimeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventBusException(
          "Interrupted while event " + id + " was " + what + " " + targetQueue, e);
    }
    ack();
  }

  private interface Settlement {
    void run() throws IOException;
  }

  private void settle(String what, Settlement settlement) {
    try {
      settlement.run();
    } catch (IOException | AlreadyClosedException e) {
      log.debug(
          "Could not {} delivery {}; the broker will redeliver it: {}",
          what,
          envelope.getDeliveryTag(),
          Exceptions.describe(e));
    }
  }
}
