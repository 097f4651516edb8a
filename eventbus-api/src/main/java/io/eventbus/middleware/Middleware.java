package io.eventbus.middleware;

/**
 * One link of a subscription's pipeline, run around every delivery.
 *
 * <pre>{@code
 * Middleware timing = (delivery, chain) -> {
 *   long start = System.nanoTime();
 *   try {
 *     chain.proceed(delivery);
 *   } finally {
 *     log.info("{} took {} µs", delivery.metadata().type(), (System.nanoTime() - start) / 1000);
 *   }
 * };
 * }</pre>
 *
 * <h2>The order of the links</h2>
 *
 * Outermost first; each link wraps everything below it. The names are the {@link Stage}s; user
 * middleware goes just before the stage it is added before ({@link
 * io.eventbus.SubscriptionOptions.Builder#addBefore}), by default before {@code HANDLER}:
 *
 * <pre>
 *  LOGGING                 MDC: event id, type, subscription
 *   └ TRACING              CONSUMER span, child of the producer's span (with an SDK installed)
 *    └ METRICS             count, duration and outcome of the delivery (with an SDK installed)
 *      └ DEAD_LETTER       ack when the rest returns; park in the dead-letter queue when it throws
 *         └ DECODE         CloudEvents attributes → metadata; type → registered class; JSON → event
 *            └ DELAYED_REDELIVERY   retries exhausted and still retryable: re-publish with a delay
 *               └ RETRY             in process, under the handler's RetryPolicy (attempt 1, 2, …)
 *                  └ TIMEOUT        fail an attempt that runs too long (when configured)
 *                     └ user middleware, in the order given to SubscriptionOptions
 *                        └ HANDLER
 * </pre>
 *
 * Because decoding happens inside dead-lettering and outside retry, a message that cannot be
 * decoded is parked at once, never retried, and never reaches user code placed after {@code
 * DECODE}; there {@link DeliveryContext#event()} and {@link DeliveryContext#metadata()} are always
 * available. Middleware placed before {@code DECODE} sees the raw message only. Middleware before
 * {@code RETRY} runs once per delivery; after it, once per attempt.
 *
 * <h2>Contract</h2>
 *
 * A link may call {@code chain.proceed} zero times (short-circuit: the delivery counts as handled
 * and is acknowledged), once, or several times (retry). Throwing fails the delivery. The {@code
 * middleware} must be thread-safe, since one instance serves all deliveries of a subscription
 * concurrently, and must not block on I/O except through {@code chain.proceed}.
 */
@FunctionalInterface
public interface Middleware {
  /** Processes {@code delivery}, usually by calling {@code chain.proceed} with it or a copy. */
  void handle(DeliveryContext delivery, Chain chain) throws Exception;

  /** The rest of the pipeline after this link. Immutable; safe to call from any thread. */
  @FunctionalInterface
  interface Chain {
    /** Runs the remaining links and the handler with {@code delivery}. */
    void proceed(DeliveryContext delivery) throws Exception;
  }
}
