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
 * Outermost first; each link wraps everything below it:
 *
 * <pre>
 *  settle      ack on success; on an exception park the message in the dead-letter queue
 *   └ decode   CloudEvents attributes → metadata; type → registered class; JSON → event
 *      └ user middleware, in the order given to SubscriptionOptions
 *         └ handler
 * </pre>
 *
 * Because decoding happens before any user middleware, {@link DeliveryContext#event()} and {@link
 * DeliveryContext#metadata()} are always available to it, and a message that cannot be decoded is
 * parked at once without reaching user code.
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
