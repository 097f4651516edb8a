package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBusException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private final String deadLetterQueue;
  private final ConfirmingPublisher publisher;
  private final Duration parkTimeout;
  private final AtomicBoolean settled = new AtomicBoolean();

  RabbitInbound(
      Channel channel,
      Envelope envelope,
      AMQP.BasicProperties properties,
      byte[] body,
      String deadLetterQueue,
      ConfirmingPublisher publisher,
      Duration parkTimeout) {
    this.channel = channel;
    this.envelope = envelope;
    this.properties = properties;
    this.body = body;
    this.message = AmqpMapping.wireMessage(properties, body);
    this.deadLetterQueue = deadLetterQueue;
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
    Map<String, Object> headers = new LinkedHashMap<>();
    if (properties.getHeaders() != null) {
      headers.putAll(properties.getHeaders());
    }
    headers.putAll(reason.toHeaders());
    headers.put(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, envelope.getExchange());
    headers.put(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.getRoutingKey());
    AMQP.BasicProperties parked =
        properties.builder().headers(headers).deliveryMode(AmqpMapping.PERSISTENT).build();
    String id = String.valueOf(message.headers().get(CloudEventsAttributes.ID));
    String type = String.valueOf(message.headers().get(CloudEventsAttributes.TYPE));
    try {
      publisher
          .publish("", deadLetterQueue, parked, body, id, type)
          .get(parkTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new EventBusException(
          "Event "
              + id
              + " could not be parked in "
              + deadLetterQueue
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new EventBusException(
          "Event " + id + " could not be parked in " + deadLetterQueue + " within " + parkTimeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EventBusException("Interrupted while parking event " + id, e);
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
