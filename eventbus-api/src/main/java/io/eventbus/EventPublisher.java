package io.eventbus;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Publishes typed events.
 *
 * <p>A publish completes successfully only when the broker has confirmed the event and routed it to
 * at least one queue: from then on the broker is responsible for it. Otherwise it completes
 * exceptionally with a {@link PublishException} (or {@link UnknownEventTypeException} for a class
 * that is not registered), carrying the event id.
 *
 * <h2>Thread safety</h2>
 *
 * Safe to call from any number of threads at once. Futures complete on a library thread, never on
 * the connection's I/O thread: do not block it for long in dependent stages.
 *
 * <h2>Failures</h2>
 *
 * The returned stage always completes within the transport's publish deadline. A failed publish may
 * still have reached a queue (a confirm lost with its connection): publish again with the same id
 * ({@link PublishOptions#withId}) and let handlers deduplicate.
 */
public interface EventPublisher {
  /** Publishes {@code event} with a fresh id and no optional attributes. */
  default CompletionStage<PublishReceipt> publish(Object event) {
    return publish(event, PublishOptions.none());
  }

  /** Publishes {@code event} with the given id, correlation id, subject or extensions. */
  CompletionStage<PublishReceipt> publish(Object event, PublishOptions options);

  /**
   * Publishes every event of {@code events}, pipelined (without waiting for one confirm before
   * sending the next), and completes once all are confirmed, with their receipts in order. If any
   * fails, the stage fails with the first failure, the others attached as suppressed exceptions;
   * events that were confirmed stay published. Each event gets a fresh id.
   */
  CompletionStage<List<PublishReceipt>> publishAll(List<?> events);

  /**
   * Publishes {@code event} and waits for the broker's confirm.
   *
   * @throws PublishException if the event was not confirmed
   * @throws UnknownEventTypeException if its class is not registered
   */
  PublishReceipt publishAndWait(Object event);
}
