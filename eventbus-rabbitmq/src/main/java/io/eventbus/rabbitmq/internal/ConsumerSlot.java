package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.spi.SafeText;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a {@link RabbitSubscription}: a channel with one consumer on one queue, which
 * hands each delivery to its subscription and makes sure it is settled (requeued if nothing else
 * settled it), and which asks its subscription to re-open it when the broker cancels or closes it.
 *
 * <p>What it needs from its subscription is the {@link Owner} interface, the subscription's {@link
 * HoldGate} (pause, close) and its {@link Deliveries} (in flight, unsettled); the rules it follows
 * are in {@link RabbitSubscription}'s description ("Shutdown", "Recovery", "Pausing"). amqp-client
 * calls the {@code handle} methods on the channel's dispatch thread, one at a time; the volatile
 * fields are read by the subscription's pause, resume, close and health on other threads.
 */
final class ConsumerSlot extends DefaultConsumer {
  private static final Logger log =
      LoggerFactory.getLogger(
          RabbitSubscription.class); // its logs stay under the subscription's name

  /** What a slot needs from its subscription. */
  interface Owner {
    /** The subscription's name, for logs. */
    String name();

    /** Whether the subscription is closed for good. */
    boolean closed();

    /** Whether the subscription's queues have a single active consumer (ordered, partitioned). */
    boolean singleActive();

    /** Parks {@code inbound} if the transport refuses it outright, else runs the pipeline. */
    void deliver(RabbitInbound inbound);

    /** The pause's cancel of {@code slot} is done: consume on it again unless still paused. */
    void cancelDone(ConsumerSlot slot);

    /** Re-opens slot {@code index} after the broker cancelled or closed it, with back-off. */
    void reopen(int index);
  }

  final int index;
  final String queue;
  private final RabbitInbound.Routes routes;
  private final HoldGate gate;
  private final Deliveries deliveries;
  private final Owner owner;
  volatile @Nullable String tag;
  volatile boolean consuming;
  volatile boolean cancelling; // basicCancel sent by pause(), handleCancelOk not run yet
  volatile boolean delivered;
  volatile long lastProgressNanos = System.nanoTime();

  ConsumerSlot(
      Channel channel,
      int index,
      RabbitInbound.Routes routes,
      HoldGate gate,
      Deliveries deliveries,
      Owner owner) {
    super(channel);
    this.index = index;
    this.queue = routes.queue();
    this.routes = routes;
    this.gate = gate;
    this.deliveries = deliveries;
    this.owner = owner;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    delivered = true;
    lastProgressNanos = System.nanoTime();
    RabbitInbound inbound = new RabbitInbound(getChannel(), envelope, properties, body, routes);
    deliveries.started(inbound);
    try {
      if (gate.closing()) {
        inbound.requeue();
        return;
      }
      if (gate.paused() && !owner.singleActive()) {
        inbound.giveBack();
        return;
      }
      if (gate.paused() && !gate.awaitResumed(getChannel())) {
        inbound.requeue(); // closing; on a dead channel the broker has requeued it already
        return;
      }
      owner.deliver(inbound);
    } catch (Throwable e) {
      // Nothing may escape: amqp-client would close this channel, with every delivery on it.
      log.error(
          "Subscription {} failed to settle a delivery; requeueing it: {}",
          owner.name(),
          SafeText.message(e),
          e);
    } finally {
      if (!inbound.isSettled()) {
        inbound.requeue();
      }
      deliveries.finished(inbound);
      lastProgressNanos = System.nanoTime();
    }
  }

  /**
   * Our own cancel (a pause) is done, and every delivery of the cancelled consumer has passed
   * through {@code handleDelivery}: the channel holds none, so it may consume again.
   */
  @Override
  public void handleCancelOk(String consumerTag) {
    owner.cancelDone(this);
  }

  @Override
  public void handleCancel(String consumerTag) {
    consuming = false;
    if (!owner.closed()) {
      log.warn(
          "The broker cancelled consumer {} of subscription {} (queue deleted?); re-opening it",
          index,
          owner.name());
      owner.reopen(index);
    }
  }

  @Override
  public void handleShutdownSignal(String consumerTag, ShutdownSignalException signal) {
    consuming = false;
    cancelling = false;
    gate.releaseHeld();
    if (!owner.closed() && !signal.isHardError() && !signal.isInitiatedByApplication()) {
      log.warn(
          "The broker closed the channel of consumer {} of subscription {}: {}; re-opening it",
          index,
          owner.name(),
          Exceptions.describe(signal));
      owner.reopen(index);
    }
  }
}
