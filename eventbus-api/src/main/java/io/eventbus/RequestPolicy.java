package io.eventbus;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How the requests of one type are sent: their default deadline, whether and how they are retried,
 * a circuit breaker, a fallback and a concurrency limit. Registered per request class on {@link
 * EventBus.Builder#requestPolicy}; a type without one gets {@link #defaults()}.
 *
 * <pre>{@code
 * RequestPolicy policy = RequestPolicy.builder()
 *     .timeout(Duration.ofMillis(500))
 *     .idempotent(true)
 *     .retry(RetryPolicy.builder().maxAttempts(3).backoff(Duration.ofMillis(20), 2.0,
 *         Duration.ofMillis(200)).build())
 *     .attemptTimeout(Duration.ofMillis(150))
 *     .circuitBreaker(RequestPolicy.CircuitBreakerSettings.defaults())
 *     .fallback(CustomerStatus.class, failure -> CustomerStatus.unknown())
 *     .maxConcurrent(64)
 *     .build();
 * }</pre>
 *
 * <h2>Order</h2>
 *
 * Outermost first: fallback → concurrency limit (per call) → retry → circuit breaker (per attempt)
 * → attempt, as resilience4j composes {@code Retry(CircuitBreaker(call))}. So a call refused by the
 * limit or the open circuit still gets its fallback, and every attempt counts in the breaker.
 *
 * <h2>Retries</h2>
 *
 * Only for requests marked {@link Builder#idempotent idempotent} (safe to repeat): {@link
 * Builder#build()} refuses a retry policy otherwise. An attempt is retried after {@link
 * RetryPolicy.Builder#backoff backoff} when it failed with {@link
 * RequestException.Reason#NO_RESPONDER}, {@link RequestException.Reason#CONNECTION_LOST} or, when
 * an attempt timeout shorter than the deadline is set, {@link
 * RequestException.Reason#DEADLINE_EXCEEDED}; never past the request's deadline, and never when the
 * responder answered with a failure. A retried request keeps its id, so a responder can
 * deduplicate.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; the builder is not. The fallback function is called from transport
 * threads and must not block.
 */
public final class RequestPolicy {
  /** The deadline of a request without an explicit timeout: five seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private static final RequestPolicy DEFAULTS = builder().build();

  private final Duration timeout;
  private final boolean idempotent;
  private final RetryPolicy retry;
  private final @Nullable Duration attemptTimeout;
  private final @Nullable CircuitBreakerSettings circuitBreaker;
  private final @Nullable Class<?> fallbackClass;
  private final @Nullable Function<? super RequestException, ?> fallback;
  private final int maxConcurrent;

  private RequestPolicy(Builder builder) {
    this.timeout = builder.timeout;
    this.idempotent = builder.idempotent;
    this.retry = builder.retry;
    this.attemptTimeout = builder.attemptTimeout;
    this.circuitBreaker = builder.circuitBreaker;
    this.fallbackClass = builder.fallbackClass;
    this.fallback = builder.fallback;
    this.maxConcurrent = builder.maxConcurrent;
  }

  /**
   * Deadline {@link #DEFAULT_TIMEOUT}, not idempotent, no retry, no circuit breaker, no fallback,
   * no limit.
   */
  public static RequestPolicy defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.timeout = timeout;
    builder.idempotent = idempotent;
    builder.retry = retry;
    builder.attemptTimeout = attemptTimeout;
    builder.circuitBreaker = circuitBreaker;
    builder.fallbackClass = fallbackClass;
    builder.fallback = fallback;
    builder.maxConcurrent = maxConcurrent;
    return builder;
  }

  /** The deadline of a request whose {@link RequestOptions} name none, counted from the call. */
  public Duration timeout() {
    return timeout;
  }

  /** Whether a request of this type is safe to send more than once. */
  public boolean idempotent() {
    return idempotent;
  }

  /** How failed attempts are retried ({@link RetryPolicy#none()} unless idempotent). */
  public RetryPolicy retry() {
    return retry;
  }

  /** The longest an attempt may wait for its reply, or null for the whole remaining deadline. */
  public @Nullable Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** The circuit breaker's settings, or null for none. */
  public @Nullable CircuitBreakerSettings circuitBreaker() {
    return circuitBreaker;
  }

  /** The class of the fallback's values, or null without a fallback. */
  public @Nullable Class<?> fallbackClass() {
    return fallbackClass;
  }

  /** The fallback, or null for none. */
  public @Nullable Function<? super RequestException, ?> fallback() {
    return fallback;
  }

  /** How many requests of this type may be outstanding at once (0: no limit). */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  @Override
  public String toString() {
    return "RequestPolicy[timeout="
        + timeout
        + ", idempotent="
        + idempotent
        + ", retry="
        + retry.maxAttempts()
        + " attempts"
        + (attemptTimeout == null ? "" : ", attemptTimeout=" + attemptTimeout)
        + (circuitBreaker == null ? "" : ", " + circuitBreaker)
        + (fallback == null ? "" : ", fallback")
        + (maxConcurrent == 0 ? "" : ", maxConcurrent=" + maxConcurrent)
        + "]";
  }

  /**
   * The settings of a request type's circuit breaker (resilience4j's count-based breaker): it opens
   * when, over the last {@code windowSize} attempts (once at least {@code minimumCalls} were made),
   * at least {@code failureRateThreshold} percent failed; it stays open for {@code openDuration},
   * refusing requests at once with {@link RequestException.Reason#CIRCUIT_OPEN}, then lets {@code
   * halfOpenCalls} trial attempts through to decide whether to close.
   *
   * @param failureRateThreshold percent of failed attempts that opens the circuit (1 to 100)
   * @param windowSize how many of the latest attempts are counted (at least 1)
   * @param minimumCalls attempts needed before the rate is judged (at least 1)
   * @param openDuration how long the circuit stays open (positive)
   * @param halfOpenCalls trial attempts while half open (at least 1)
   */
  public record CircuitBreakerSettings(
      float failureRateThreshold,
      int windowSize,
      int minimumCalls,
      Duration openDuration,
      int halfOpenCalls) {
    private static final CircuitBreakerSettings DEFAULTS =
        new CircuitBreakerSettings(50, 20, 10, Duration.ofSeconds(10), 3);

    /**
     * Validates the values.
     *
     * @throws EventBusConfigurationException naming the first value out of range
     */
    public CircuitBreakerSettings {
      Objects.requireNonNull(openDuration, "openDuration");
      if (!(failureRateThreshold >= 1 && failureRateThreshold <= 100)) {
        throw EventBusConfigurationException.invalid(
            "failureRateThreshold", "must be between 1 and 100", failureRateThreshold);
      }
      if (windowSize < 1) {
        throw EventBusConfigurationException.invalid(
            "windowSize", "must be at least 1", windowSize);
      }
      if (minimumCalls < 1) {
        throw EventBusConfigurationException.invalid(
            "minimumCalls", "must be at least 1", minimumCalls);
      }
      if (openDuration.isZero() || openDuration.isNegative()) {
        throw EventBusConfigurationException.invalid(
            "openDuration", "must be positive", openDuration);
      }
      if (halfOpenCalls < 1) {
        throw EventBusConfigurationException.invalid(
            "halfOpenCalls", "must be at least 1", halfOpenCalls);
      }
    }

    /** 50 % of the last 20 attempts (at least 10), open for 10 s, 3 trial attempts. */
    public static CircuitBreakerSettings defaults() {
      return DEFAULTS;
    }

    /** A copy with another failure-rate threshold. */
    public CircuitBreakerSettings withFailureRateThreshold(float failureRateThreshold) {
      return new CircuitBreakerSettings(
          failureRateThreshold, windowSize, minimumCalls, openDuration, halfOpenCalls);
    }

    /** A copy with another window and minimum. */
    public CircuitBreakerSettings withWindow(int windowSize, int minimumCalls) {
      return new CircuitBreakerSettings(
          failureRateThreshold, windowSize, minimumCalls, openDuration, halfOpenCalls);
    }

    /** A copy with another open duration. */
    public CircuitBreakerSettings withOpenDuration(Duration openDuration) {
      return new CircuitBreakerSettings(
          failureRateThreshold, windowSize, minimumCalls, openDuration, halfOpenCalls);
    }
  }

  /** Collects a policy; {@link #build()} validates it. Setters only reject null. */
  public static final class Builder {
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean idempotent;
    private RetryPolicy retry = RetryPolicy.none();
    private @Nullable Duration attemptTimeout;
    private @Nullable CircuitBreakerSettings circuitBreaker;
    private @Nullable Class<?> fallbackClass;
    private @Nullable Function<? super RequestException, ?> fallback;
    private int maxConcurrent;

    private Builder() {}

    /** The default deadline, counted from the call (default {@link #DEFAULT_TIMEOUT}). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Marks the type safe to send more than once, which retries need (default false). */
    public Builder idempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    /**
     * Retries failed attempts under {@code retry}: its attempts, back-off and jitter (default
     * {@link RetryPolicy#none()}). Needs {@link #idempotent idempotent(true)}.
     */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** The longest one attempt waits for its reply (default: the whole remaining deadline). */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      return this;
    }

    /** Puts a circuit breaker in front of the type's attempts (default none). */
    public Builder circuitBreaker(CircuitBreakerSettings circuitBreaker) {
      this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
      return this;
    }

    /**
     * Answers a failed request with {@code fallback}'s value instead of failing it, for every
     * {@link RequestException} but {@link RequestException.Reason#INVALID_REQUEST}. The value must
     * be an instance of the reply class the request is made with; {@code replyClass} is checked
     * against it at each call.
     */
    public <R> Builder fallback(
        Class<R> replyClass, Function<? super RequestException, ? extends R> fallback) {
      this.fallbackClass = Objects.requireNonNull(replyClass, "replyClass");
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /** Answers a failed request with {@code value} (see {@link #fallback(Class, Function)}). */
    public Builder fallbackValue(Object value) {
      Objects.requireNonNull(value, "value");
      this.fallbackClass = value.getClass();
      this.fallback = failure -> value;
      return this;
    }

    /**
     * At most {@code maxConcurrent} requests of the type outstanding at once; a call beyond it
     * fails at once with {@link RequestException.Reason#CONCURRENCY_LIMIT} (default 0: no limit).
     */
    public Builder maxConcurrent(int maxConcurrent) {
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    /**
     * The validated policy.
     *
     * @throws EventBusConfigurationException naming the setting: a timeout that is not positive, a
     *     retry policy with more than one attempt without {@code idempotent(true)}, an attempt
     *     timeout that is not positive, a negative concurrency limit
     */
    public RequestPolicy build() {
      if (timeout.isZero() || timeout.isNegative()) {
        throw EventBusConfigurationException.invalid("timeout", "must be positive", timeout);
      }
      if (retry.maxAttempts() > 1 && !idempotent) {
        throw new EventBusConfigurationException(
            "retry",
            "retry with "
                + retry.maxAttempts()
                + " attempts needs idempotent(true): only requests that are safe to repeat are"
                + " retried");
      }
      if (attemptTimeout != null && (attemptTimeout.isZero() || attemptTimeout.isNegative())) {
        throw EventBusConfigurationException.invalid(
            "attemptTimeout", "must be positive", attemptTimeout);
      }
      if (maxConcurrent < 0) {
        throw EventBusConfigurationException.invalid(
            "maxConcurrent", "must be 0 (no limit) or more", maxConcurrent);
      }
      return new RequestPolicy(this);
    }
  }
}
