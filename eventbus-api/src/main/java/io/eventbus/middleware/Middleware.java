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
 * The built-in links and their order, outermost first, are drawn once, in docs/architecture.md
 * ("The chain"); their names are the {@link Stage} constants. User middleware goes just before the
 * stage it is added before ({@link io.eventbus.SubscriptionOptions.Builder#addBefore}), by default
 * before {@link Stage#HANDLER}. Middleware placed before {@link Stage#DECODE} sees the raw message
 * only; after it, {@link DeliveryContext#event()} and {@link DeliveryContext#metadata()} are always
 * available, since a message that cannot be decoded is parked at once and goes no further.
 * Middleware before {@link Stage#RETRY} runs once per delivery; after it, once per attempt.
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
