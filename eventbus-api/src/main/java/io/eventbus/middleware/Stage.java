package io.eventbus.middleware;

/**
 * The built-in links of a subscription's pipeline, outermost first (see {@link Middleware} for the
 * picture). User middleware is placed immediately before one of them with {@link
 * io.eventbus.SubscriptionOptions.Builder#addBefore}; the default place is before {@link #HANDLER}.
 *
 * <p>Middleware placed before {@link #DECODE} sees the raw message only: {@link
 * DeliveryContext#event()} and {@link DeliveryContext#metadata()} are not available to it yet.
 */
public enum Stage {
  /** Puts the event id, type and subscription into the SLF4J MDC around everything inside. */
  LOGGING,
  /**
   * The CONSUMER span of the delivery, continuing the producer's trace from the W3C trace context
   * in the headers; current while the rest runs. Present only when an OpenTelemetry SDK is
   * installed.
   */
  TRACING,
  /**
   * Messaging metrics of the delivery: count, processing duration, retries, redeliveries and dead
   * letters. Present only when an OpenTelemetry SDK is installed.
   */
  METRICS,
  /**
   * Settles the delivery: acknowledges it when everything inside returns, parks it in the
   * dead-letter queue with the reason when something inside throws.
   */
  DEAD_LETTER,
  /** CloudEvents attributes, content type, type name and body to metadata and a typed event. */
  DECODE,
  /**
   * When in-process retries are exhausted, re-publishes the message with a delay (see {@link
   * io.eventbus.SubscriptionOptions#redeliveryDelays()}) instead of parking it.
   */
  DELAYED_REDELIVERY,
  /**
   * Retries the rest of the chain in process under the handler's {@link io.eventbus.RetryPolicy}.
   */
  RETRY,
  /** Fails an attempt that runs longer than the subscription's handler timeout, when one is set. */
  TIMEOUT,
  /** The handler itself; middleware added without a stage runs just before it. */
  HANDLER
}
