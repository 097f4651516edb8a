package io.eventbus;

import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Stage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How a subscription consumes: its name, how many events it handles at once, how many the broker
 * may send ahead, how failures are retried, whether order matters, how it protects what it calls
 * (circuit breaker, concurrency and rate limits), and its own middleware.
 *
 * <pre>{@code
 * SubscriptionOptions options = SubscriptionOptions.builder("shipping")
 *     .concurrency(4)
 *     .prefetch(50)
 *     .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
 *     .redeliveryDelays(Duration.ofSeconds(5), Duration.ofMinutes(1))
 *     .circuitBreaker(CircuitBreakerPolicy.defaults())         // pauses while handlers fail
 *     .rateLimit(100, Duration.ofSeconds(1))                   // the carrier's quota
 *     .middleware(new AuditMiddleware())                       // just before the handler
 *     .addBefore(Stage.RETRY, new ValidationMiddleware())      // once per delivery, around retries
 *     .build();
 * }</pre>
 *
 * <h2>Resilience</h2>
 *
 * See docs/resilience.md. A {@link #circuitBreaker() circuit breaker} pauses the subscription while
 * its handlers fail too often and probes before resuming; a handler whose dependency refuses calls
 * ({@link DependencyUnavailableException}) makes it back off the same way. A {@link
 * #concurrencyLimit() concurrency limit} caps the handlers running at once, in this process, over
 * the whole subscription or per event type; a {@link #rateLimit() rate limit} spaces the deliveries
 * it handles. Waiting for either holds the delivery, so the broker sends no more than the prefetch.
 *
 * <h2>Failures</h2>
 *
 * A failing handler is retried in process under its {@link RetryPolicy} (the subscription's, or the
 * one given to {@link Handlers.Builder#on(Class, RetryPolicy, EventHandlerFunction)}); then the
 * message is re-published after each of the {@link #redeliveryDelays()} in turn, without blocking a
 * consumer; after the last one it is parked in the dead-letter queue. A permanent failure ({@link
 * RetryPolicy#isRetryable}) is parked at once.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable; the builder is not thread-safe.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} checks every setting and throws {@link EventBusConfigurationException}
 * naming the first invalid one ({@link EventBusConfigurationException#setting()}).
 */
public final class SubscriptionOptions {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private final String name;
  private final int concurrency;
  private final int prefetch;
  private final Map<Stage, List<Middleware>> middleware;
  private final RetryPolicy retryPolicy;
  private final List<Duration> redeliveryDelays;
  private final Ordering ordering;
  private final @Nullable Duration handlerTimeout;
  private final Duration stallTimeout;
  private final @Nullable CircuitBreakerPolicy circuitBreaker;
  private final int concurrencyLimit;
  private final Map<Class<?>, Integer> concurrencyLimits;
  private final @Nullable RateLimit rateLimit;

  private SubscriptionOptions(Builder builder) {
    this.name = builder.name;
    this.concurrency = builder.concurrency;
    this.prefetch = builder.prefetch;
    Map<Stage, List<Middleware>> byStage = new EnumMap<>(Stage.class);
    builder.middleware.forEach((stage, links) -> byStage.put(stage, List.copyOf(links)));
    this.middleware = byStage;
    this.retryPolicy = builder.retryPolicy;
    this.redeliveryDelays = List.copyOf(builder.redeliveryDelays);
    this.ordering = builder.ordering;
    this.handlerTimeout = builder.handlerTimeout;
    this.stallTimeout = builder.stallTimeout;
    this.circuitBreaker = builder.circuitBreaker;
    this.concurrencyLimit = builder.concurrencyLimit;
    this.concurrencyLimits = Map.copyOf(builder.concurrencyLimits);
    this.rateLimit = builder.rateLimit;
  }

  /**
   * Default options for the subscription {@code name}.
   *
   * @throws EventBusConfigurationException if the name is invalid
   */
  public static SubscriptionOptions named(String name) {
    return builder(name).build();
  }

  /**
   * A builder for the subscription {@code name}: 1 to 200 letters, digits, {@code .}, {@code -} or
   * {@code _} (checked by {@link Builder#build()}). The name is also the queue's name, so it must
   * stay stable.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder builder =
        new Builder(name)
            .concurrency(concurrency)
            .prefetch(prefetch)
            .retryPolicy(retryPolicy)
            .redeliveryDelays(redeliveryDelays.toArray(Duration[]::new))
            .ordering(ordering)
            .stallTimeout(stallTimeout);
    builder.handlerTimeout = handlerTimeout;
    builder.circuitBreaker = circuitBreaker;
    builder.concurrencyLimit = concurrencyLimit;
    builder.concurrencyLimits.putAll(concurrencyLimits);
    builder.rateLimit = rateLimit;
    middleware.forEach((stage, links) -> links.forEach(link -> builder.addBefore(stage, link)));
    return builder;
  }

  /** The subscription's name. */
  public String name() {
    return name;
  }

  /** How many events are handled at once (default 1: one at a time, in queue order). */
  public int concurrency() {
    return concurrency;
  }

  /** How many unacknowledged events the broker may send to each consumer (default 32). */
  public int prefetch() {
    return prefetch;
  }

  /**
   * User middleware placed just before the handler, outermost first: the same as {@code
   * middleware(Stage.HANDLER)}.
   */
  public List<Middleware> middleware() {
    return middleware(Stage.HANDLER);
  }

  /** User middleware placed just before the built-in {@code stage}, outermost first. */
  public List<Middleware> middleware(Stage stage) {
    return middleware.getOrDefault(Objects.requireNonNull(stage, "stage"), List.of());
  }

  /** How failing handlers are retried in process (default {@link RetryPolicy#defaults()}). */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * After in-process retries are exhausted, the message is re-published after each of these delays
   * in turn before it is parked (default 1 s, 10 s, 1 min; empty: parked at once).
   */
  public List<Duration> redeliveryDelays() {
    return redeliveryDelays;
  }

  /** Whether and how the subscription keeps events in order (default {@link Ordering#NONE}). */
  public Ordering ordering() {
    return ordering;
  }

  /** The longest one handler attempt may take, or null for no limit (the default). */
  public @Nullable Duration handlerTimeout() {
    return handlerTimeout;
  }

  /**
   * How long the subscription's queue may hold ready messages while none is delivered to it before
   * {@link EventBus#health()} reports the subscription as stalled (default 1 minute).
   */
  public Duration stallTimeout() {
    return stallTimeout;
  }

  /**
   * The subscription's circuit breaker, or null for none (the default): see {@link
   * CircuitBreakerPolicy}.
   */
  public @Nullable CircuitBreakerPolicy circuitBreaker() {
    return circuitBreaker;
  }

  /**
   * The most handlers of this subscription that run at once in this process, or 0 for no limit
   * beyond {@link #concurrency()} (the default).
   */
  public int concurrencyLimit() {
    return concurrencyLimit;
  }

  /** The most handlers that run at once per event class, for the classes that have a limit. */
  public Map<Class<?>, Integer> concurrencyLimits() {
    return concurrencyLimits;
  }

  /** The most events handled per period, or null for no limit (the default). */
  public @Nullable RateLimit rateLimit() {
    return rateLimit;
  }

  @Override
  public String toString() {
    return "SubscriptionOptions[name="
        + name
        + ", concurrency="
        + concurrency
        + ", prefetch="
        + prefetch
        + ", ordering="
        + ordering
        + ", retry="
        + retryPolicy
        + ", redeliveryDelays="
        + redeliveryDelays
        + ", middleware="
        + middleware.values().stream().mapToInt(List::size).sum()
        + (circuitBreaker == null ? "" : ", circuitBreaker=" + circuitBreaker)
        + (concurrencyLimit == 0 ? "" : ", concurrencyLimit=" + concurrencyLimit)
        + (concurrencyLimits.isEmpty() ? "" : ", concurrencyLimits=" + concurrencyLimits.size())
        + (rateLimit == null ? "" : ", rateLimit=" + rateLimit)
        + "]";
  }

  /**
   * At most {@code events} handled per {@code per}, spaced evenly: one every {@code per / events}.
   * A delivery that comes early waits, holding its place, so the broker sends no more than the
   * prefetch meanwhile; one that comes late may use the slot just missed, so two can start
   * together.
   *
   * @param events how many events per period (at least 1)
   * @param per the period (1 ms to 24 h)
   */
  public record RateLimit(int events, Duration per) {
    /** Checks for null; {@link Builder#build()} checks the ranges. */
    public RateLimit {
      Objects.requireNonNull(per, "per");
    }

    /** The time between two events. */
    public Duration interval() {
      return per.dividedBy(events);
    }

    @Override
    public String toString() {
      return events + " per " + per;
    }
  }

  /** How a subscription orders the events it handles. */
  public enum Ordering {
    /** No order: up to {@link #concurrency()} events at once, from competing consumers. */
    NONE,
    /**
     * Queue order: one consumer across all instances of the service (RabbitMQ's single active
     * consumer) handling one event at a time. Needs {@code concurrency(1)}.
     */
    ORDERED,
    /**
     * Per-key order: events are spread over the transport's partitions by their {@link
     * PartitionKey}; each partition is consumed in order by one consumer at a time, different
     * partitions in parallel. {@link #concurrency()} is not used: the partitions set the
     * parallelism.
     */
    PARTITIONED
  }

  /**
   * Collects options; {@link #build()} validates them all at once. Setters only reject null. Not
   * thread-safe.
   */
  public static final class Builder {
    private final String name;
    private int concurrency = 1;
    private int prefetch = 32;
    private final Map<Stage, List<Middleware>> middleware = new EnumMap<>(Stage.class);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private List<Duration> redeliveryDelays =
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1));
    private Ordering ordering = Ordering.NONE;
    private @Nullable Duration handlerTimeout;
    private Duration stallTimeout = Duration.ofMinutes(1);
    private @Nullable CircuitBreakerPolicy circuitBreaker;
    private int concurrencyLimit;
    private final Map<Class<?>, Integer> concurrencyLimits = new LinkedHashMap<>();
    private @Nullable RateLimit rateLimit;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Handle up to {@code concurrency} events at once (1 to 256). */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Let the broker send up to {@code prefetch} unacknowledged events per consumer (1 to 65535).
     */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /**
     * Adds a middleware just before the handler, inside those added before it: it runs once per
     * attempt. The same as {@code addBefore(Stage.HANDLER, middleware)}.
     */
    public Builder middleware(Middleware middleware) {
      return addBefore(Stage.HANDLER, middleware);
    }

    /**
     * Adds a middleware just before the built-in {@code stage}, inside the middleware added before
     * that stage earlier. {@code addBefore(Stage.LOGGING, mw)} makes it the outermost link.
     */
    public Builder addBefore(Stage stage, Middleware middleware) {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(middleware, "middleware");
      this.middleware.computeIfAbsent(stage, s -> new ArrayList<>()).add(middleware);
      return this;
    }

    /** How failing handlers are retried in process (default {@link RetryPolicy#defaults()}). */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * The delays of the redeliveries after in-process retries are exhausted (at most 10, each from
     * 1 ms to 24 h); none parks the message in the dead-letter queue at once.
     */
    public Builder redeliveryDelays(Duration... delays) {
      List<Duration> copy = new ArrayList<>();
      for (Duration delay : delays) {
        copy.add(Objects.requireNonNull(delay, "delay"));
      }
      this.redeliveryDelays = List.copyOf(copy);
      return this;
    }

    /** Whether and how events are kept in order (default {@link Ordering#NONE}). */
    public Builder ordering(Ordering ordering) {
      this.ordering = Objects.requireNonNull(ordering, "ordering");
      return this;
    }

    /** Fails a handler attempt that takes longer than {@code timeout} (default: no limit). */
    public Builder handlerTimeout(Duration timeout) {
      this.handlerTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * How long the subscription's queue may hold ready messages while none is delivered to its
     * consumers before {@link EventBus#health()} reports it as stalled (default 1 minute). A
     * handler that legitimately runs longer than this, with every consumer busy, is reported too:
     * choose it above the slowest handler.
     */
    public Builder stallTimeout(Duration stallTimeout) {
      this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
      return this;
    }

    /**
     * Pauses the subscription while its handlers fail too often, and probes before resuming (see
     * {@link CircuitBreakerPolicy}; default: no circuit breaker).
     */
    public Builder circuitBreaker(CircuitBreakerPolicy circuitBreaker) {
      this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
      return this;
    }

    /**
     * Runs at most {@code limit} handlers of this subscription at once in this process (1 to
     * 65535), whatever the {@link #concurrency(int) concurrency} and prefetch; the others wait,
     * holding their deliveries.
     */
    public Builder concurrencyLimit(int limit) {
      this.concurrencyLimit = limit;
      return this;
    }

    /**
     * Runs at most {@code limit} handlers of events of {@code eventClass} at once in this process
     * (1 to 65535), within the subscription's own limit if it has one.
     */
    public Builder concurrencyLimit(Class<?> eventClass, int limit) {
      concurrencyLimits.put(Objects.requireNonNull(eventClass, "eventClass"), limit);
      return this;
    }

    /**
     * Handles at most {@code events} per {@code per}, spaced evenly (events 1 to 1,000,000; per 1
     * ms to 24 h; see {@link RateLimit}).
     */
    public Builder rateLimit(int events, Duration per) {
      this.rateLimit = new RateLimit(events, Objects.requireNonNull(per, "per"));
      return this;
    }

    /**
     * The immutable options, once every setting is checked.
     *
     * @throws EventBusConfigurationException naming the first invalid setting: the name, a range, a
     *     delay, a timeout, or {@link Ordering#ORDERED} with a concurrency above 1
     */
    public SubscriptionOptions build() {
      if (!NAME.matcher(name).matches() || name.getBytes(StandardCharsets.UTF_8).length > 200) {
        throw new EventBusConfigurationException(
            "name",
            "Subscription name '"
                + name
                + "' is invalid: use 1 to 200 letters, digits, '.', '-' or '_'");
      }
      requireRange("concurrency", concurrency, 1, 256);
      requireRange("prefetch", prefetch, 1, 65_535);
      if (redeliveryDelays.size() > 10) {
        throw EventBusConfigurationException.invalid(
            "redeliveryDelays", "holds at most 10 delays", redeliveryDelays.size() + " delays");
      }
      for (Duration delay : redeliveryDelays) {
        if (delay.toMillis() < 1 || delay.compareTo(Duration.ofHours(24)) > 0) {
          throw EventBusConfigurationException.invalid(
              "redeliveryDelays", "must each be between 1 ms and 24 h", delay);
        }
      }
      if (handlerTimeout != null && (handlerTimeout.isNegative() || handlerTimeout.isZero())) {
        throw EventBusConfigurationException.invalid(
            "handlerTimeout", "must be positive", handlerTimeout);
      }
      if (stallTimeout.isNegative() || stallTimeout.isZero()) {
        throw EventBusConfigurationException.invalid(
            "stallTimeout", "must be positive", stallTimeout);
      }
      if (concurrencyLimit != 0) {
        requireRange("concurrencyLimit", concurrencyLimit, 1, 65_535);
      }
      for (Map.Entry<Class<?>, Integer> limit : concurrencyLimits.entrySet()) {
        requireRange("concurrencyLimit", limit.getValue(), 1, 65_535);
      }
      if (rateLimit != null) {
        requireRange("rateLimit", rateLimit.events(), 1, 1_000_000);
        if (rateLimit.per().toMillis() < 1 || rateLimit.per().compareTo(Duration.ofHours(24)) > 0) {
          throw EventBusConfigurationException.invalid(
              "rateLimit", "period must be between 1 ms and 24 h", rateLimit.per());
        }
      }
      if (ordering == Ordering.ORDERED && concurrency != 1) {
        throw new EventBusConfigurationException(
            "concurrency",
            "Subscription '"
                + name
                + "' is ORDERED, which handles one event at a time: its concurrency must be 1, was "
                + concurrency);
      }
      return new SubscriptionOptions(this);
    }

    private static void requireRange(String setting, int value, int min, int max) {
      if (value < min || value > max) {
        throw EventBusConfigurationException.invalid(
            setting, "must be between " + min + " and " + max, value);
      }
    }
  }
}
