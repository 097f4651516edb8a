package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBusException;
import io.eventbus.UnroutableEventException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SafeText;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Parking and redelivery publish a copy (body unchanged) whose headers are fitted to the
 * publishing connection's frame by {@link CopyHeaders}, so a message whose own headers come near
 * {@code frame_max} can still be parked. A copy that comes back unroutable (the dead-letter or
 * retry queue was deleted) makes the subscription declare its queues again, and is sent once more.
 */
final class RabbitInbound implements InboundMessage {
  private static final Logger log = LoggerFactory.getLogger(RabbitInbound.class);

  /**
   * Where copies of this subscription's deliveries go, and how.
   *
   * @param queue the queue the delivery came from (what a replay sends it back to)
   * @param deadLetterQueue where parked copies go
   * @param retryQueues the retry queue of each redelivery delay
   * @param publisher publishes the copies, with confirms
   * @param timeout how long a copy may take to be confirmed
   * @param redeclare declares the subscription's queues again (after an unroutable copy)
   */
  record Routes(
      String queue,
      String deadLetterQueue,
      Map<Duration, String> retryQueues,
      ConfirmingPublisher publisher,
      Duration timeout,
      Runnable redeclare) {}

  private final Channel channel;
  private final Envelope envelope;
  private final AMQP.BasicProperties properties;
  private final byte[] body;
  private final WireMessage message;
  private final Routes routes;
  private final AtomicBoolean settled = new AtomicBoolean();

  RabbitInbound(
      Channel channel,
      Envelope envelope,
      AMQP.BasicProperties properties,
      byte[] body,
      Routes routes) {
    this.channel = channel;
    this.envelope = envelope;
    this.properties = properties;
    this.body = body;
    this.message = AmqpMapping.wireMessage(properties, body);
    this.routes = routes;
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

  /** The raw properties as delivered. */
  AMQP.BasicProperties properties() {
    return properties;
  }

  /** The body's size in bytes. */
  int bodySize() {
    return body.length;
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
    Map<String, Object> ours = new LinkedHashMap<>(reason.toHeaders());
    keepOrigin(ours);
    ours.put(DeadLetterReason.HEADER_QUEUE, routes.queue());
    storeCopyThenAck(routes.deadLetterQueue(), ours, Set.of(), "parked in");
  }

  @Override
  public void redeliverAfter(Duration delay, Map<String, String> history) {
    String retryQueue = routes.retryQueues().get(delay);
    if (retryQueue == null) {
      throw new IllegalArgumentException(
          "No retry queue for a delay of "
              + delay
              + "; the subscription has "
              + routes.retryQueues().keySet());
    }
    if (settled.get()) {
      return;
    }
    Map<String, Object> ours = new LinkedHashMap<>(history);
    keepOrigin(ours);
    // The broker's count of unacknowledged deliveries belongs to the original; the copy is new.
    storeCopyThenAck(
        retryQueue, ours, Set.of(BrokerHeaders.DELIVERY_COUNT), "scheduled for redelivery through");
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
    storeCopyThenAck(
        routes.queue(),
        new LinkedHashMap<>(history),
        Set.of(BrokerHeaders.DELIVERY_COUNT),
        "given back to");
  }

  /**
   * Gives back a delivery that never reached the pipeline (its subscription is paused): {@link
   * #defer} with the broker's delivery count, which the copy loses, added to our attempt count so
   * that the attempts stay counted (within the range the bus accepts, {@value #MAX_ATTEMPTS}; a
   * forged count reads as none). If the copy cannot be stored, the delivery is requeued.
   */
  void giveBack() {
    Map<String, String> history = new LinkedHashMap<>();
    int deliveries = deliveryCount();
    if (deliveries > 0) {
      String before = message.headers().get(DeadLetterReason.HEADER_ATTEMPTS);
      long attempts = 0;
      try {
        attempts = before == null ? 0 : Long.parseLong(before.trim());
      } catch (NumberFormatException e) {
        attempts = 0;
      }
      if (attempts < 0 || attempts > MAX_ATTEMPTS) {
        attempts = 0;
      }
      history.put(
          DeadLetterReason.HEADER_ATTEMPTS,
          Long.toString(Math.min(attempts + Math.min(deliveries, MAX_ATTEMPTS), MAX_ATTEMPTS)));
    }
    try {
      defer(history);
    } catch (RuntimeException e) {
      log.warn(
          "A delivery of {} could not be given back; requeueing it: {}",
          routes.queue(),
          SafeText.message(e));
      requeue();
    }
  }

  /** The most attempts our history header may claim (the bus reads larger values as forged). */
  private static final int MAX_ATTEMPTS = 1_000_000;

  /**
   * Records where the message was first published, unless an earlier redelivery or parking did:
   * after a delayed redelivery the envelope shows the retry route, not the origin.
   */
  private void keepOrigin(Map<String, Object> ours) {
    Map<String, Object> headers = properties.getHeaders();
    for (String name :
        new String[] {
          DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY
        }) {
      Object kept = headers == null ? null : headers.get(name);
      if (kept != null) {
        ours.put(name, kept);
      }
    }
    ours.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, envelope.getExchange());
    ours.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.getRoutingKey());
  }

  /**
   * Publishes a copy to {@code targetQueue}, waits for its confirm, then acks the original. An
   * unroutable copy (its queue was deleted) makes the subscription declare its queues again and is
   * sent once more.
   */
  private void storeCopyThenAck(
      String targetQueue, Map<String, Object> ours, Set<String> without, String what) {
    CopyHeaders.Fitted fitted =
        CopyHeaders.fit(properties, ours, without, routes.publisher().frameMax());
    String id = SafeText.of(message.headers().get(CloudEventsAttributes.ID));
    String type = String.valueOf(message.headers().get(CloudEventsAttributes.TYPE));
    if (!fitted.shortened().isEmpty() || !fitted.removed().isEmpty()) {
      log.warn(
          "Event {} {} {} with its headers shortened to fit the broker's frame size: ours {},"
              + " removed from the original {}",
          id,
          what,
          targetQueue,
          fitted.shortened(),
          SafeText.of(fitted.removed(), 500));
    }
    try {
      await(targetQueue, fitted.properties(), id, type, what);
    } catch (EventBusException e) {
      if (!(e.getCause() instanceof UnroutableEventException)) {
        throw e;
      }
      log.warn(
          "Event {} could not be {} {}: the queue is gone; declaring the subscription's queues"
              + " again",
          id,
          what,
          targetQueue);
      routes.redeclare().run();
      await(targetQueue, fitted.properties(), id, type, what);
    }
    ack();
  }

  private void await(
      String targetQueue, AMQP.BasicProperties copy, String id, String type, String what) {
    CompletableFuture<Void> confirmed =
        routes.publisher().publishCopy("", targetQueue, copy, body, id, type);
    Duration timeout = routes.timeout();
    try {
      confirmed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new EventBusException(
          "Event "
              + id
              + " could not be "
              + what
              + " "
              + targetQueue
              + ": "
              + SafeText.of(e.getCause().getMessage(), SafeText.MAX_MESSAGE_CHARS),
          e.getCause());
    } catch (TimeoutException e) {
      throw new EventBusException(
          "Event " + id + " could not be " + what + " " + targetQueue + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventBusException(
          "Interrupted while event " + id + " was " + what + " " + targetQueue, e);
    }
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
