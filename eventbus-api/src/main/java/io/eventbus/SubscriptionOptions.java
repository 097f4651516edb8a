package io.eventbus;

import io.eventbus.middleware.Middleware;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a subscription consumes: its name, how many events it handles at once, how many the broker
 * may send ahead, and its own middleware.
 *
 * <pre>{@code
 * SubscriptionOptions options = SubscriptionOptions.builder("shipping")
 *     .concurrency(4)
 *     .prefetch(50)
 *     .middleware(new AuditMiddleware())
 *     .build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable; the builder is not thread-safe.
 */
public final class SubscriptionOptions {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private final String name;
  private final int concurrency;
  private final int prefetch;
  private final List<Middleware> middleware;

  private SubscriptionOptions(Builder builder) {
    this.name = builder.name;
    this.concurrency = builder.concurrency;
    this.prefetch = builder.prefetch;
    this.middleware = List.copyOf(builder.middleware);
  }

  /** Default options for the subscription {@code name}. */
  public static SubscriptionOptions named(String name) {
    return builder(name).build();
  }

  /**
   * A builder for the subscription {@code name}: 1 to 200 letters, digits, {@code .}, {@code -} or
   * {@code _}. The name is also the queue's name, so it must stay stable.
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder builder = new Builder(name).concurrency(concurrency).prefetch(prefetch);
    builder.middleware.addAll(middleware);
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

  /** User middleware, outermost first, run around every handler call of this subscription. */
  public List<Middleware> middleware() {
    return middleware;
  }

  @Override
  public String toString() {
    return "SubscriptionOptions[name="
        + name
        + ", concurrency="
        + concurrency
        + ", prefetch="
        + prefetch
        + ", middleware="
        + middleware.size()
        + "]";
  }

  /** Collects options; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private int concurrency = 1;
    private int prefetch = 32;
    private final List<Middleware> middleware = new ArrayList<>();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches() || name.getBytes(StandardCharsets.UTF_8).length > 200) {
        throw new EventBusConfigurationException(
            "Subscription name '"
                + name
                + "' is invalid: use 1 to 200 letters, digits, '.', '-' or '_'");
      }
      this.name = name;
    }

    /** Handle up to {@code concurrency} events at once (1 to 256). */
    public Builder concurrency(int concurrency) {
      this.concurrency = requireRange("concurrency", concurrency, 1, 256);
      return this;
    }

    /**
     * Let the broker send up to {@code prefetch} unacknowledged events per consumer (1 to 65535).
     */
    public Builder prefetch(int prefetch) {
      this.prefetch = requireRange("prefetch", prefetch, 1, 65_535);
      return this;
    }

    /** Adds a middleware inside those added before it. */
    public Builder middleware(Middleware middleware) {
      this.middleware.add(Objects.requireNonNull(middleware, "middleware"));
      return this;
    }

    /** The immutable options. */
    public SubscriptionOptions build() {
      return new SubscriptionOptions(this);
    }

    private static int requireRange(String option, int value, int min, int max) {
      if (value < min || value > max) {
        throw new EventBusConfigurationException(
            option + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }
  }
}
