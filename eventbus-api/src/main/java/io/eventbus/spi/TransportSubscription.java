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
 *
 * <h2>Pausing</h2>
 *
 * The bus pauses a subscription while its circuit is open or a dependency is unavailable, and
 * before closing it: {@link #pause()} stops handing messages to the receiver without settling or
 * returning any, {@link #resume()} starts again. Both have defaults for transports that cannot
 * pause; the bus then holds the deliveries that reach it instead, which stops a transport whose
 * consumers take one message at a time just as well, but leaves its consumers registered.
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

  /**
   * Stops handing messages to the receiver until {@link #resume()}; returns whether this transport
   * can pause (the default cannot, and returns false).
   *
   * <p>After it returns, the receiver gets no message. Messages the transport already took from the
   * broker stay with it, unsettled and in their order, and are handed over after {@link #resume()}
   * (or returned to the queue by {@link #close()}); none is settled, returned or counted as a
   * delivery because of the pause. The receiver's calls in flight go on. A transport frees its
   * place at the broker where it can (a RabbitMQ consumer is cancelled, so that the queue shows no
   * consumer), but keeps it where giving it up would break the order: on a queue with a single
   * active consumer another instance would take over the following messages. A pause outlives a
   * connection recovery: the transport does not start consuming again until {@link #resume()}.
   * Idempotent, cheap, never waits for handlers; may be called from the receiver's own thread.
   */
  default boolean pause() {
    return false;
  }

  /**
   * Starts handing messages to the receiver again after {@link #pause()}: first those kept, then
   * new ones, never more at once than before the pause (a RabbitMQ consumer is consumed again only
   * once the messages its cancelled consumer had received have been handed over, so that no more
   * than the prefetch is held). Idempotent; does nothing if not paused or closed. The default does
   * nothing.
   */
  default void resume() {}

  @Override
  void close();
}
