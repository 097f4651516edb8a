package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBusException;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's consumers: one channel on the consuming connection per entry of its consumed
 * queues ({@code concurrency} times its queue, its queue once when ordered, or one per partition
 * queue), each with one consumer and the subscription's prefetch. amqp-client dispatches one
 * channel's deliveries one at a time, so concurrency is the number of channels, order is kept per
 * channel, and every delivery is settled on the channel that received it.
 *
 * <p>Shutdown: {@link #close()} cancels the consumers and turns away (requeues) deliveries that
 * were already buffered, waits for the handlers in flight up to the shutdown timeout, explicitly
 * requeues the deliveries whose handlers did not finish (a handler's later settlement is then
 * ignored), and closes the channels.
 */
public final class RabbitSubscription implements TransportSubscription {
  private static final Logger log = LoggerFactory.getLogger(RabbitSubscription.class);

  private final SubscriptionSpec spec;
  private final List<String> queues;
  private final Map<Duration, String> retryQueues;
  private final String deadLetterQueue;
  private final ConfirmingPublisher publisher;
  private final Duration parkTimeout;
  private final Duration shutdownTimeout;
  private final Consumer<InboundMessage> receiver;
  private final List<Channel> channels = new ArrayList<>();
  private final List<String> consumerTags = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<RabbitInbound> unsettled = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;

  public RabbitSubscription(
      SubscriptionSpec spec,
      List<String> queues,
      Map<Duration, String> retryQueues,
      String deadLetterQueue,
      ConfirmingPublisher publisher,
      Duration parkTimeout,
      Duration shutdownTimeout,
      Consumer<InboundMessage> receiver) {
    this.spec = spec;
    this.queues = List.copyOf(queues);
    this.retryQueues = Map.copyOf(retryQueues);
    this.deadLetterQueue = deadLetterQueue;
    this.publisher = publisher;
    this.parkTimeout = parkTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.receiver = receiver;
  }

  /** Opens the channels and starts the consumers; on failure closes what it opened. */
  public void start(Connection connection) {
    try {
      for (String queue : queues) {
        Channel channel = connection.createChannel();
        channels.add(channel);
        channel.basicQos(spec.prefetch());
        consumerTags.add(channel.basicConsume(queue, false, new DeliveryConsumer(channel, queue)));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw new EventBusException(
          "Could not start consuming subscription " + spec.name() + ": " + Exceptions.describe(e),
          e);
    }
  }

  /**
   * Cancels the consumers, waits up to the shutdown timeout for handlers in flight, requeues those
   * that did not finish, then closes the channels. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (int i = 0; i < consumerTags.size(); i++) {
      try {
        channels.get(i).basicCancel(consumerTags.get(i));
      } catch (IOException | AlreadyClosedException e) {
        log.debug("Cancel of a consumer of {} failed: {}", spec.name(), Exceptions.describe(e));
      }
    }
    // Only once no consumer of ours is subscribed: a delivery turned away before would come
    // straight back to another of our consumers, and each round counts towards the delivery limit.
    closing = true;
    long until = System.nanoTime() + shutdownTimeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < until) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inFlight.get() > 0) {
      log.warn(
          "Subscription {} closing with {} handlers still running; their events return to the queue",
          spec.name(),
          inFlight.get());
    }
    for (RabbitInbound inbound : unsettled) {
      inbound.requeue();
    }
    for (Channel channel : channels) {
      try {
        if (channel.isOpen()) {
          channel.close();
        }
      } catch (IOException | TimeoutException | AlreadyClosedException e) {
        log.debug("Channel of {} did not close cleanly: {}", spec.name(), Exceptions.describe(e));
      }
    }
  }

  private final class DeliveryConsumer extends DefaultConsumer {
    private final String queue;

    DeliveryConsumer(Channel channel, String queue) {
      super(channel);
      this.queue = queue;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      inFlight.incrementAndGet();
      RabbitInbound inbound =
          new RabbitInbound(
              getChannel(),
              envelope,
              properties,
              body,
              queue,
              deadLetterQueue,
              retryQueues,
              publisher,
              parkTimeout);
      unsettled.add(inbound);
      try {
        if (closing) {
          inbound.requeue();
          return;
        }
        receiver.accept(inbound);
      } catch (RuntimeException e) {
        log.error("Subscription {} failed to settle a delivery; requeueing it", spec.name(), e);
      } finally {
        if (!inbound.isSettled()) {
          inbound.requeue();
        }
        unsettled.remove(inbound);
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      log.warn("The broker cancelled consumer {} of subscription {}", consumerTag, spec.name());
    }
  }
}
