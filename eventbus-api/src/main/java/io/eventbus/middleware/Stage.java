package io.eventbus.middleware;

/**
 * The built-in links of a subscription's pipeline, outermost first; their order and what each does
 * are drawn once, in docs/architecture.md ("The chain"). User middleware is placed immediately
 * before one of them with {@link io.eventbus.SubscriptionOptions.Builder#addBefore}; the default
 * place is before {@link #HANDLER}.
 */
public enum Stage {
  /** Puts the event id, type and subscription into the SLF4J MDC around everything inside. */
  LOGGING,
  /** Traces the delivery as a CONSUMER span, when an OpenTelemetry SDK is installed. */
  TRACING,
  /**
   * Measures the delivery's count, duration and outcome, when an OpenTelemetry SDK is installed.
   */
  METRICS,
  /** Settles the delivery: acknowledges it when the rest returns, parks it when the rest throws. */
  DEAD_LETTER,
  /** Decodes the raw message into metadata and a typed event. */
  DECODE,
  /** Re-publishes a delivery whose in-process retries are exhausted, after a delay. */
  DELAYED_REDELIVERY,
  /**
   * Holds deliveries and pauses the subscription while its circuit is open or a handler reports a
   * dependency unavailable, counting each delivery's outcome after its in-process retries.
   */
  CIRCUIT_BREAKER,
  /** Spaces deliveries to the subscription's rate limit, when one is set. */
  RATE_LIMIT,
  /** Caps the handlers running at once, per subscription or event type, when a limit is set. */
  CONCURRENCY_LIMIT,
  /**
   * Retries the rest of the chain in process under the handler's {@link io.eventbus.RetryPolicy}.
   */
  RETRY,
  /** Fails an attempt that runs longer than the subscription's handler timeout, when one is set. */
  TIMEOUT,
  /** The handler itself; middleware added without a stage runs just before it. */
  HANDLER
}
