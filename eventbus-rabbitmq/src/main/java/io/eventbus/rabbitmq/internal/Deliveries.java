package io.eventbus.rabbitmq.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks a subscription's deliveries from their arrival until they are settled, so that closing can
 * wait for the handlers in flight and requeue the deliveries whose handlers did not finish.
 *
 * <p>Thread-safe: consumer threads add and remove, the closing thread waits and requeues.
 */
final class Deliveries {
  private final InFlight inFlight = new InFlight();
  private final Set<RabbitInbound> unsettled = ConcurrentHashMap.newKeySet();

  /** {@code inbound} arrived: in flight until {@link #finished}. */
  void started(RabbitInbound inbound) {
    inFlight.enter();
    unsettled.add(inbound);
  }

  /** {@code inbound} is settled (or requeued): no longer in flight. */
  void finished(RabbitInbound inbound) {
    unsettled.remove(inbound);
    inFlight.leave();
  }

  /** How many deliveries are in flight right now. */
  int inFlight() {
    return inFlight.count();
  }

  /** Waits until none is in flight, at most {@code timeout}; false if some still are. */
  boolean awaitNone(Duration timeout) {
    return inFlight.awaitNone(timeout);
  }

  /** Requeues every delivery not settled yet; a handler's later settlement is then ignored. */
  void requeueUnsettled() {
    for (RabbitInbound inbound : unsettled) {
      inbound.requeue();
    }
  }
}
