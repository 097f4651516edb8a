package io.eventbus;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a failing handler is retried in process: how many attempts, how long to wait between them
 * (exponential back-off with jitter), and which exceptions are permanent. After the last attempt
 * the event goes on to delayed redelivery (see {@link SubscriptionOptions#redeliveryDelays()}) and
 * finally to the dead-letter queue; a permanent failure skips both.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *     .maxAttempts(5)
 *     .backoff(Duration.ofMillis(200), 2.0, Duration.ofSeconds(5))
 *     .nonRetryable(IllegalArgumentException.class)
 *     .build();
 * }</pre>
 *
 * <p>An exception is permanent when it implements {@link NonRetryable}, is an instance of a type
 * given to {@link Builder#nonRetryable}, is an {@link EventDecodingException} or {@link
 * UnknownEventTypeException}, or is an {@link InterruptedException}; anything else thrown by a
 * handler (but not an {@link Error}) is retried.
 *
 * <p>A dependency that refuses calls for now ({@link #isDependencyUnavailable}) is neither: such a
 * failure is not retried here, not redelivered and not dead-lettered; the subscription backs off
 * and handles the event again later (see {@link DependencyUnavailableException}).
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; the builder is not.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double multiplier;
  private final Duration maxBackoff;
  private final double jitter;
  private final List<Class<? extends Throwable>> nonRetryable;
  private final List<Class<? extends Throwable>> dependencyUnavailable;
  private final IntervalFunction interval;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.multiplier = builder.multiplier;
    this.maxBackoff = builder.maxBackoff;
    this.jitter = builder.jitter;
    this.nonRetryable = List.copyOf(builder.nonRetryable);
    this.dependencyUnavailable = List.copyOf(builder.dependencyUnavailable);
    this.interval = IntervalFunction.ofExponentialBackoff(initialBackoff, multiplier, maxBackoff);
  }

  /** Three attempts, back-off 100 ms doubling up to 2 s, jitter ±50 %, no extra permanent types. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** A single attempt: no in-process retry. */
  public static RetryPolicy none() {
    return NONE;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy. */
  public Builder toBuilder() {
    Builder builder =
        new Builder()
            .maxAttempts(maxAttempts)
            .backoff(initialBackoff, multiplier, maxBackoff)
            .jitter(jitter);
    builder.nonRetryable.addAll(nonRetryable);
    builder.dependencyUnavailable.addAll(dependencyUnavailable);
    return builder;
  }

  /** Attempts in process, the first included (at least 1). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait after the first failed attempt, before jitter. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The factor by which each wait grows. */
  public double multiplier() {
    return multiplier;
  }

  /** The longest wait, before jitter. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** The randomisation factor: each wait is drawn from {@code [w·(1−jitter), w·(1+jitter)]}. */
  public double jitter() {
    return jitter;
  }

  /** The exception types, and their subtypes, that are never retried. */
  public List<Class<? extends Throwable>> nonRetryable() {
    return nonRetryable;
  }

  /**
   * The exception types, and their subtypes, that mean a dependency refuses calls for now, besides
   * {@link DependencyUnavailableException} and resilience4j's {@code CallNotPermittedException}.
   */
  public List<Class<? extends Throwable>> dependencyUnavailable() {
    return dependencyUnavailable;
  }

  /** Whether {@code failure} may be retried under this policy (see the class comment). */
  public boolean isRetryable(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    if (isDependencyUnavailable(failure)) {
      return false;
    }
    if (failure instanceof Error
        || failure instanceof NonRetryable
        || failure instanceof EventDecodingException
        || failure instanceof UnknownEventTypeException
        || failure instanceof InterruptedException) {
      return false;
    }
    for (Class<? extends Throwable> type : nonRetryable) {
      if (type.isInstance(failure)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code failure}, or one of its causes, says that a dependency refuses calls for now: a
   * {@link DependencyUnavailableException}, resilience4j's {@code CallNotPermittedException} (a
   * breaker the handler calls through is open), a {@link RequestException} whose circuit breaker is
   * open ({@link RequestException.Reason#CIRCUIT_OPEN}: a request the handler made), or a type
   * given to {@link Builder#dependencyUnavailable}. Such a failure is not retryable.
   */
  public boolean isDependencyUnavailable(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
      if (cause instanceof DependencyUnavailableException
          || cause instanceof CallNotPermittedException
          || (cause instanceof RequestException refused
              && refused.reason() == RequestException.Reason.CIRCUIT_OPEN)) {
        return true;
      }
      for (Class<? extends Throwable> type : dependencyUnavailable) {
        if (type.isInstance(cause)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The wait after failed attempt number {@code attempt} (1 for the first), given {@code random}
   * drawn uniformly from {@code [0, 1)}: the exponential back-off of resilience4j's {@code
   * IntervalFunction}, randomised by {@link #jitter()}. Deterministic, so that the source of
   * randomness stays with the caller.
   */
  public Duration backoff(int attempt, double random) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    if (random < 0 || random >= 1) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + random);
    }
    long base = interval.apply(attempt);
    return Duration.ofMillis(Math.round(base * (1 - jitter + 2 * jitter * random)));
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts="
        + maxAttempts
        + ", backoff="
        + initialBackoff
        + "×"
        + multiplier
        + "≤"
        + maxBackoff
        + ", jitter="
        + jitter
        + ", nonRetryable="
        + nonRetryable.stream().map(Class::getSimpleName).toList()
        + (dependencyUnavailable.isEmpty()
            ? ""
            : ", dependencyUnavailable="
                + dependencyUnavailable.stream().map(Class::getSimpleName).toList())
        + "]";
  }

  /**
   * Collects a policy's settings; {@link #build()} validates them all at once and makes the
   * immutable policy. Setters only reject null. Not thread-safe.
   */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private double multiplier = 2.0;
    private Duration maxBackoff = Duration.ofSeconds(2);
    private double jitter = 0.5;
    private final List<Class<? extends Throwable>> nonRetryable = new ArrayList<>();
    private final List<Class<? extends Throwable>> dependencyUnavailable = new ArrayList<>();

    private Builder() {}

    /** Attempts in process, the first included (1 to 100; default 3). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Waits {@code initial} after the first failure, then {@code multiplier} times longer after
     * each further one, never longer than {@code max} (default 100 ms, 2.0, 2 s; {@code 0 < initial
     * <= max}, multiplier at least 1).
     */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      this.initialBackoff = Objects.requireNonNull(initial, "initial");
      this.multiplier = multiplier;
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /** The randomisation factor, 0 (none) to 1 (default 0.5). */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /** Adds exception types that are never retried (their subtypes included). */
    @SafeVarargs
    public final Builder nonRetryable(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> type : types) {
        nonRetryable.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * Adds exception types (their subtypes included, also as a cause) that mean a dependency
     * refuses calls for now, like {@link DependencyUnavailableException}: the subscription backs
     * off instead of retrying, redelivering or dead-lettering the event.
     */
    @SafeVarargs
    public final Builder dependencyUnavailable(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> type : types) {
        dependencyUnavailable.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * The immutable policy, once every setting is checked.
     *
     * @throws EventBusConfigurationException naming the first invalid setting
     */
    public RetryPolicy build() {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw EventBusConfigurationException.invalid(
            "maxAttempts", "must be between 1 and 100", maxAttempts);
      }
      if (initialBackoff.isNegative()
          || initialBackoff.isZero()
          || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new EventBusConfigurationException(
            "backoff",
            "backoff needs 0 < initial <= max, was " + initialBackoff + " and " + maxBackoff);
      }
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw EventBusConfigurationException.invalid(
            "backoff", "multiplier must be at least 1", multiplier);
      }
      if (!(jitter >= 0 && jitter <= 1)) {
        throw EventBusConfigurationException.invalid("jitter", "must be between 0 and 1", jitter);
      }
      return new RetryPolicy(this);
    }
  }
}
