package io.eventbus.spi;

import io.eventbus.Health;
import java.util.Map;

/**
 * A transport's running subscription. Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #close()} stops taking new messages, waits for those in flight to be settled, then
 * releases the consumers; messages never settled go back to the queue. Idempotent.
 */
public interface TransportSubscription extends AutoCloseable {
  /**
   * This subscription's health: {@link Health.Status#DOWN} when it is closed, its connection is
   * lost, one of its consumers is gone (cancelled and not yet back), or it is stalled (it has
   * consumers and its queue has had ready messages for longer than {@link
   * SubscriptionSpec#stallTimeout()} while none was delivered), with the reason in the detail. Must
   * be cheap and must not wait for the broker. The bus renames the component after the
   * subscription. The default reports {@link Health.Status#UNKNOWN}.
   */
  default Health.Component health() {
    return new Health.Component(
        "subscription",
        Health.Status.UNKNOWN,
        getClass().getName() + " does not report its health",
        Map.of());
  }

  @Override
  void close();
}
