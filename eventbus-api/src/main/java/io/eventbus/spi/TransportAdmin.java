package io.eventbus.spi;

import java.util.List;

/**
 * Administration of what a transport declared on its broker, for tools and test fixtures: read what
 * a subscription parked, and remove a subscription's queues and the exchange for good.
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe: use one from one thread at a time.
 *
 * <h2>Lifecycle</h2>
 *
 * Made by {@link TransportProvider#admin}; holds a connection of its own until {@link #close()}.
 *
 * <h2>Failures</h2>
 *
 * {@link #deadLetters} throws {@link io.eventbus.EventBusException} if the broker cannot be read.
 * The deletions are best effort: what does not exist, or cannot be deleted, is skipped and logged.
 */
public interface TransportAdmin extends AutoCloseable {
  /**
   * The messages {@code subscription} (its queue's name) parked so far, oldest first, left where
   * they are.
   */
  List<DeadLetter> deadLetters(String subscription);

  /**
   * Deletes every queue and exchange a transport of the admin's settings declared for {@code spec}:
   * its queue or partition queues, dead-letter queue, retry queues and their exchanges. Messages in
   * them are lost.
   */
  void delete(SubscriptionSpec spec);

  /** Deletes the exchange of the admin's settings. */
  void deleteExchange();

  /** Closes the admin's connection. Idempotent. */
  @Override
  void close();
}
