package io.eventbus.spi;

/**
 * A transport's running subscription. Thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #close()} stops taking new messages, waits for those in flight to be settled, then
 * releases the consumers; messages never settled go back to the queue. Idempotent.
 */
public interface TransportSubscription extends AutoCloseable {
  @Override
  void close();
}
