package io.eventbus.rabbitmq.internal;

import io.eventbus.Health;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.internal.publish.ConfirmingPublisher;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the transport's open subscriptions: starts each on the consuming connection, samples their
 * queue depths on the health thread, declares their topology again on demand, and closes them.
 *
 * <p>Thread-safe: the list of open subscriptions is copied on write, so {@link #binds} and {@link
 * #redeclareAll} may run on any thread while subscriptions open and close.
 */
public final class Subscriptions {
  private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

  private final RabbitTopology topology;
  private final TopologyDeclarer declarer;
  private final ConnectionSupervisor consuming;
  private final ConfirmingPublisher publisher;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService health;
  private final Duration parkTimeout;
  private final Duration shutdownTimeout;
  private final int maxInboundMessageBytes;
  private final QueueSampler sampler;
  private final List<RabbitSubscription> open = new CopyOnWriteArrayList<>();

  /**
   * @param scheduler re-opens consumers the broker cancelled
   * @param health the thread that samples queue depths
   * @param parkTimeout how long parking or re-publishing a delivery waits for its confirm
   * @param shutdownTimeout how long closing a subscription waits for its handlers
   * @param maxInboundMessageBytes the largest body a subscription accepts; larger ones are parked
   */
  public Subscriptions(
      RabbitTopology topology,
      TopologyDeclarer declarer,
      ConnectionSupervisor consuming,
      ConfirmingPublisher publisher,
      ScheduledExecutorService scheduler,
      ScheduledExecutorService health,
      Duration parkTimeout,
      Duration shutdownTimeout,
      int maxInboundMessageBytes) {
    this.topology = topology;
    this.declarer = declarer;
    this.consuming = consuming;
    this.publisher = publisher;
    this.scheduler = scheduler;
    this.health = health;
    this.parkTimeout = parkTimeout;
    this.shutdownTimeout = shutdownTimeout;
    this.maxInboundMessageBytes = maxInboundMessageBytes;
    this.sampler = new QueueSampler(consuming);
  }

  /** Declares {@code spec}'s queues, starts its consumers and samples its queues once. */
  public TransportSubscription open(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Map<Duration, String> retryQueues = new HashMap<>();
    spec.redeliveryDelays()
        .forEach(delay -> retryQueues.put(delay, topology.retryQueue(spec.name(), delay)));
    RabbitSubscription subscription =
        new RabbitSubscription(
            spec,
            declarer.consumedQueues(spec),
            retryQueues,
            topology.deadLetterQueue(spec.name()),
            declarer,
            consuming,
            publisher,
            scheduler,
            parkTimeout,
            shutdownTimeout,
            maxInboundMessageBytes,
            receiver);
    subscription.start();
    open.add(subscription);
    health.execute(() -> subscription.sample(sampler));
    return new TransportSubscription() {
      @Override
      public void close() {
        open.remove(subscription);
        subscription.close();
      }

      @Override
      public Health.Component health() {
        return subscription.health();
      }

      @Override
      public boolean pause() {
        return subscription.pause();
      }

      @Override
      public void resume() {
        subscription.resume();
      }
    };
  }

  /** Whether a subscription named {@code name} is open on this transport. */
  public boolean isOpen(String name) {
    for (RabbitSubscription subscription : open) {
      if (subscription.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an open subscription binds the bus's exchange for {@code routingKey} (see {@link
   * BindingKeys}). Reads the list of open subscriptions without a lock; any thread, never blocks.
   */
  public boolean binds(String routingKey) {
    for (RabbitSubscription subscription : open) {
      if (subscription.binds(routingKey)) {
        return true;
      }
    }
    return false;
  }

  /** Samples the queue depths of every open subscription; on the health thread only. */
  public void sample() {
    try {
      for (RabbitSubscription subscription : open) {
        subscription.sample(sampler);
      }
    } catch (RuntimeException e) {
      log.debug("Sampling queue depths failed", e);
    }
  }

  /**
   * Declares every open subscription's queues and bindings again, on the consuming connection
   * (after the broker said the exchange was gone). Failures are logged; the next recovery declares
   * again.
   */
  public void redeclareAll() {
    for (RabbitSubscription subscription : open) {
      subscription.redeclare();
    }
  }

  /** Closes every open subscription (see {@link RabbitSubscription#close()}). */
  public void closeAll() {
    for (RabbitSubscription subscription : open) {
      subscription.close();
    }
  }
}
