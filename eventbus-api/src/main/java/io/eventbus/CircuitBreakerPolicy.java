package io.eventbus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When a subscription stops consuming because its handlers fail too often: a circuit breaker over
 * the whole subscription (a "kill switch"), built on resilience4j's. Set it with {@link
 * SubscriptionOptions.Builder#circuitBreaker(CircuitBreakerPolicy)}.
 *
 * <pre>{@code
 * SubscriptionOptions.builder("payments")
 *     .circuitBreaker(CircuitBreakerPolicy.builder()
 *         .failureRateThreshold(50)              // percent of the deliveries in the window
 *         .slidingWindow(20)                     // the last 20 deliveries
 *         .minimumCalls(10)                      // judged only after 10
 *         .openDuration(Duration.ofSeconds(30))  // paused this long, then probing
 *         .probes(3)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <h2>States</h2>
 *
 * <ul>
 *   <li><b>Closed</b>: deliveries are handled; each one's outcome, after its in-process retries, is
 *       one call of the breaker. A failure that does not open the circuit goes on to delayed
 *       redelivery and the dead-letter queue as usual.
 *   <li><b>Open</b>, once at least {@link #minimumCalls()} calls are in the {@link
 *       Builder#slidingWindow(int) sliding window} and at least {@link #failureRateThreshold()}
 *       percent of them failed: the subscription stops consuming (its consumers are cancelled at
 *       the broker), handlers in flight finish, and every delivery it already holds waits, neither
 *       handled, acknowledged, returned nor dead-lettered, the one that failed included. Nothing
 *       goes to the dead-letter queue because of the open circuit.
 *   <li><b>Half-open</b>, after {@link #openDuration()}: consumption resumes and up to {@link
 *       #probes()} deliveries are handled as probes, those held first. When all of them succeed the
 *       circuit closes; the first one that fails opens it again.
 * </ul>
 *
 * <h2>Which failures count</h2>
 *
 * A handler's failure counts when it is transient under the handler's {@link RetryPolicy} ({@link
 * RetryPolicy#isRetryable}), is not of a type given to {@link Builder#ignore}, and, if any types
 * are given to {@link Builder#record}, is of one of them. Permanent failures (a {@link
 * NonRetryable} exception, an undecodable event) are the event's fault, not the dependency's: they
 * neither count nor are held, and go to the dead-letter queue as usual. A dependency that refuses
 * calls ({@link RetryPolicy#isDependencyUnavailable}) does not count either: the subscription backs
 * off instead.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; the builder is not.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} throws {@link EventBusConfigurationException} naming the first invalid
 * setting.
 */
public final class CircuitBreakerPolicy {
  private final float failureRateThreshold;
  private final int slidingWindowCalls;
  private final @Nullable Duration slidingWindowTime;
  private final int minimumCalls;
  private final Duration openDuration;
  private final int probes;
  private final List<Class<? extends Throwable>> recorded;
  private final List<Class<? extends Throwable>> ignored;

  private CircuitBreakerPolicy(Builder builder) {
    this.failureRateThreshold = builder.failureRateThreshold;
    this.slidingWindowCalls = builder.slidingWindowCalls;
    this.slidingWindowTime = builder.slidingWindowTime;
    this.minimumCalls = builder.minimumCalls;
    this.openDuration = builder.openDuration;
    this.probes = builder.probes;
    this.recorded = List.copyOf(builder.recorded);
    this.ignored = List.copyOf(builder.ignored);
  }

  /**
   * The defaults: opens at 50 % failures of the last 20 deliveries once 10 were judged, stays open
   * 30 s, probes with 3.
   */
  public static CircuitBreakerPolicy defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy. */
  public Builder toBuilder() {
    Builder builder =
        new Builder()
            .failureRateThreshold(failureRateThreshold)
            .minimumCalls(minimumCalls)
            .openDuration(openDuration)
            .probes(probes);
    if (slidingWindowTime != null) {
      builder.slidingWindow(slidingWindowTime);
    } else {
      builder.slidingWindow(slidingWindowCalls);
    }
    builder.recorded.addAll(recorded);
    builder.ignored.addAll(ignored);
    return builder;
  }

  /** The failure rate, in percent, at or above which the circuit opens (default 50). */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /**
   * How many of the latest deliveries the failure rate is computed over (default 20); 0 when the
   * window is a time ({@link #slidingWindowTime()}).
   */
  public int slidingWindowCalls() {
    return slidingWindowCalls;
  }

  /**
   * The time the failure rate is computed over (whole seconds), or null when the window is a number
   * of deliveries (the default).
   */
  public @Nullable Duration slidingWindowTime() {
    return slidingWindowTime;
  }

  /** How many deliveries the window must hold before the rate is judged (default 10). */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** How long the circuit stays open, consumption paused, before probing (default 30 s). */
  public Duration openDuration() {
    return openDuration;
  }

  /** How many deliveries probe a half-open circuit (default 3). */
  public int probes() {
    return probes;
  }

  /** If not empty, only failures of these types (and subtypes) count. */
  public List<Class<? extends Throwable>> recorded() {
    return recorded;
  }

  /** Failures of these types (and subtypes) never count. */
  public List<Class<? extends Throwable>> ignored() {
    return ignored;
  }

  /**
   * Whether {@code failure} of a handler governed by {@code retryPolicy} counts as a failed call
   * (see the class comment, "Which failures count").
   */
  public boolean isRecorded(Throwable failure, RetryPolicy retryPolicy) {
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (!retryPolicy.isRetryable(failure)) {
      return false;
    }
    for (Class<? extends Throwable> type : ignored) {
      if (type.isInstance(failure)) {
        return false;
      }
    }
    if (recorded.isEmpty()) {
      return true;
    }
    for (Class<? extends Throwable> type : recorded) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "CircuitBreakerPolicy[failureRateThreshold="
        + failureRateThreshold
        + "%, slidingWindow="
        + (slidingWindowTime != null ? slidingWindowTime : slidingWindowCalls + " calls")
        + ", minimumCalls="
        + minimumCalls
        + ", openDuration="
        + openDuration
        + ", probes="
        + probes
        + ", recorded="
        + recorded.stream().map(Class::getSimpleName).toList()
        + ", ignored="
        + ignored.stream().map(Class::getSimpleName).toList()
        + "]";
  }

  /**
   * Collects a policy's settings; {@link #build()} validates them all at once. Setters only reject
   * null. Not thread-safe.
   */
  public static final class Builder {
    private float failureRateThreshold = 50;
    private int slidingWindowCalls = 20;
    private @Nullable Duration slidingWindowTime;
    private int minimumCalls = 10;
    private Duration openDuration = Duration.ofSeconds(30);
    private int probes = 3;
    private final List<Class<? extends Throwable>> recorded = new ArrayList<>();
    private final List<Class<? extends Throwable>> ignored = new ArrayList<>();

    private Builder() {}

    /** The failure rate in percent (above 0, at most 100) at which the circuit opens. */
    public Builder failureRateThreshold(float percent) {
      this.failureRateThreshold = percent;
      return this;
    }

    /** Judge the failure rate over the latest {@code calls} deliveries (1 to 10,000). */
    public Builder slidingWindow(int calls) {
      this.slidingWindowCalls = calls;
      this.slidingWindowTime = null;
      return this;
    }

    /** Judge the failure rate over the deliveries of the last {@code time} (1 s to 1 h). */
    public Builder slidingWindow(Duration time) {
      this.slidingWindowTime = Objects.requireNonNull(time, "time");
      this.slidingWindowCalls = 0;
      return this;
    }

    /** How many deliveries the window must hold before the rate is judged (1 to 10,000). */
    public Builder minimumCalls(int calls) {
      this.minimumCalls = calls;
      return this;
    }

    /** How long the circuit stays open before probing (1 ms to 24 h). */
    public Builder openDuration(Duration openDuration) {
      this.openDuration = Objects.requireNonNull(openDuration, "openDuration");
      return this;
    }

    /** How many deliveries probe a half-open circuit (1 to 1,000). */
    public Builder probes(int probes) {
      this.probes = probes;
      return this;
    }

    /** Only failures of these types (and their subtypes) count, if any are given. */
    @SafeVarargs
    public final Builder record(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> type : types) {
        recorded.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /** Failures of these types (and their subtypes) never count. */
    @SafeVarargs
    public final Builder ignore(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> type : types) {
        ignored.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * The immutable policy, once every setting is checked.
     *
     * @throws EventBusConfigurationException naming the first invalid setting
     */
    public CircuitBreakerPolicy build() {
      if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
        throw EventBusConfigurationException.invalid(
            "failureRateThreshold", "must be above 0 and at most 100", failureRateThreshold);
      }
      if (slidingWindowTime != null) {
        if (slidingWindowTime.compareTo(Duration.ofSeconds(1)) < 0
            || slidingWindowTime.compareTo(Duration.ofHours(1)) > 0
            || slidingWindowTime.toNanos() % 1_000_000_000L != 0) {
          throw EventBusConfigurationException.invalid(
              "slidingWindow", "must be whole seconds from 1 s to 1 h", slidingWindowTime);
        }
      } else if (slidingWindowCalls < 1 || slidingWindowCalls > 10_000) {
        throw EventBusConfigurationException.invalid(
            "slidingWindow", "must be between 1 and 10000 calls", slidingWindowCalls);
      }
      if (minimumCalls < 1 || minimumCalls > 10_000) {
        throw EventBusConfigurationException.invalid(
            "minimumCalls", "must be between 1 and 10000", minimumCalls);
      }
      if (openDuration.toMillis() < 1 || openDuration.compareTo(Duration.ofHours(24)) > 0) {
        throw EventBusConfigurationException.invalid(
            "openDuration", "must be between 1 ms and 24 h", openDuration);
      }
      if (probes < 1 || probes > 1_000) {
        throw EventBusConfigurationException.invalid(
            "probes", "must be between 1 and 1000", probes);
      }
      return new CircuitBreakerPolicy(this);
    }
  }
}
