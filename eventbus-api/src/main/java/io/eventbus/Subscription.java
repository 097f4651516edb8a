package io.eventbus;

/**
 * A running subscription: a named group of handlers consuming from one queue. Instances of a
 * service that use the same name share the work; different names each get every event.
 *
 * <h2>Thread safety</h2>
 *
 * Safe to use from any thread.
 *
 * <h2>Lifecycle</h2>
 *
 * Owned by the {@link EventBus} that created it, which closes it on {@link EventBus#close()}.
 * {@link #close()} stops taking new deliveries and waits for handlers in flight; the queue and the
 * events in it stay on the broker. Closing twice is a no-op.
 */
public interface Subscription extends AutoCloseable {
  /** The subscription's name, which is also its queue's name. */
  String name();

  /** Stops consuming; idempotent. */
  @Override
  void close();
}
