package io.eventbus;

import io.eventbus.internal.HandlerScanner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The handlers of one subscription: at most one per event class. Built from objects with {@link
 * EventHandler} methods, from lambdas, or both.
 *
 * <pre>{@code
 * Handlers handlers = Handlers.builder()
 *     .scan(new ShippingHandlers())
 *     .on(OrderCancelled.class, (event, context) -> log.info("cancelled {}", event.orderId()))
 *     .build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable. The handler objects themselves are called from several threads at once when a
 * subscription's concurrency is above 1, so they must be thread-safe then.
 *
 * <h2>Failures</h2>
 *
 * A malformed {@link EventHandler} method, or two handlers for one class, throws {@link
 * EventBusConfigurationException} naming the methods.
 */
public final class Handlers {
  private final Map<Class<?>, Registration<?>> byClass;

  private Handlers(Map<Class<?>, Registration<?>> byClass) {
    this.byClass = Map.copyOf(byClass);
  }

  /** The handlers declared by the {@link EventHandler} methods of {@code targets}. */
  public static Handlers scan(Object... targets) {
    Builder builder = builder();
    for (Object target : targets) {
      builder.scan(target);
    }
    return builder.build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The handled event classes with their handlers. */
  public Map<Class<?>, Registration<?>> registrations() {
    return byClass;
  }

  /**
   * One handler: the event class, the function, a description (the method, or "lambda") used in
   * messages, and its own retry policy if it overrides the subscription's.
   *
   * @param <E> the event class
   */
  public record Registration<E>(
      Class<E> eventClass,
      EventHandlerFunction<? super E> function,
      String description,
      @Nullable RetryPolicy retryPolicy) {
    /** Checks that no component but {@code retryPolicy} is null. */
    public Registration {
      Objects.requireNonNull(eventClass, "eventClass");
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(description, "description");
    }

    /** A registration that uses its subscription's retry policy. */
    public Registration(
        Class<E> eventClass, EventHandlerFunction<? super E> function, String description) {
      this(eventClass, function, description, null);
    }
  }

  /** Collects handlers. Not thread-safe. */
  public static final class Builder {
    private final Map<Class<?>, Registration<?>> byClass = new LinkedHashMap<>();

    private Builder() {}

    /** Adds every {@link EventHandler} method of {@code target}. */
    public Builder scan(Object target) {
      Objects.requireNonNull(target, "target");
      HandlerScanner.scan(target).forEach(this::add);
      return this;
    }

    /** Adds a handler for {@code eventClass}. */
    public <E> Builder on(Class<E> eventClass, EventHandlerFunction<? super E> handler) {
      return add(
          new Registration<>(
              eventClass, handler, "handler for " + eventClass.getSimpleName() + " (lambda)"));
    }

    /**
     * Adds a handler for {@code eventClass} that is retried under {@code retryPolicy} instead of
     * its subscription's policy.
     */
    public <E> Builder on(
        Class<E> eventClass, RetryPolicy retryPolicy, EventHandlerFunction<? super E> handler) {
      Objects.requireNonNull(retryPolicy, "retryPolicy");
      return add(
          new Registration<>(
              eventClass,
              handler,
              "handler for " + eventClass.getSimpleName() + " (lambda)",
              retryPolicy));
    }

    /**
     * Sets the retry policy of the handler already added for {@code eventClass} (for example by
     * {@link #scan}), overriding its subscription's policy.
     *
     * @throws EventBusConfigurationException if no handler for {@code eventClass} was added
     */
    public Builder retryPolicy(Class<?> eventClass, RetryPolicy retryPolicy) {
      Objects.requireNonNull(eventClass, "eventClass");
      Objects.requireNonNull(retryPolicy, "retryPolicy");
      Registration<?> existing = byClass.get(eventClass);
      if (existing == null) {
        throw new EventBusConfigurationException(
            "No handler for " + eventClass.getName() + " to set a retry policy for");
      }
      byClass.put(eventClass, withPolicy(existing, retryPolicy));
      return this;
    }

    private static <E> Registration<E> withPolicy(
        Registration<E> registration, RetryPolicy policy) {
      return new Registration<>(
          registration.eventClass(), registration.function(), registration.description(), policy);
    }

    private Builder add(Registration<?> registration) {
      Registration<?> existing = byClass.putIfAbsent(registration.eventClass(), registration);
      if (existing != null) {
        throw new EventBusConfigurationException(
            "Two handlers for "
                + registration.eventClass().getName()
                + " in one subscription: "
                + existing.description()
                + " and "
                + registration.description());
      }
      return this;
    }

    /** The immutable set of handlers. */
    public Handlers build() {
      return new Handlers(byClass);
    }
  }
}
