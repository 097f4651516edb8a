package io.eventbus;

import io.eventbus.internal.HandlerScanner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The handlers of one subscription: at most one per event class, and at most one responder per
 * request class. Built from objects with {@link EventHandler} and {@link RequestHandler} methods,
 * from lambdas, or both.
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
  private final Map<Class<?>, Responder<?>> responders;

  private Handlers(Map<Class<?>, Registration<?>> byClass, Map<Class<?>, Responder<?>> responders) {
    this.byClass = Map.copyOf(byClass);
    this.responders = Map.copyOf(responders);
  }

  /**
   * The handlers and responders declared by the {@link EventHandler} and {@link RequestHandler}
   * methods of {@code targets}.
   */
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

  /** The answered request classes with their responders. */
  public Map<Class<?>, Responder<?>> responders() {
    return responders;
  }

  /**
   * One responder: the request class, the function that answers it, and a description (the method,
   * or "lambda") used in messages.
   *
   * @param <Q> the request class
   */
  public record Responder<Q>(
      Class<Q> requestClass, RequestHandlerFunction<? super Q, ?> function, String description) {
    /** Checks for nulls. */
    public Responder {
      Objects.requireNonNull(requestClass, "requestClass");
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(description, "description");
    }
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
    private final Map<Class<?>, Responder<?>> responders = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds every {@link EventHandler} and {@link RequestHandler} method of {@code target}.
     *
     * @throws EventBusConfigurationException if it has neither, or one is malformed
     */
    public Builder scan(Object target) {
      Objects.requireNonNull(target, "target");
      List<Responder<?>> answering = HandlerScanner.responders(target);
      HandlerScanner.scan(target, !answering.isEmpty()).forEach(this::add);
      answering.forEach(this::add);
      return this;
    }

    /**
     * Adds a responder for {@code requestClass}: {@code responder} returns the reply, or a {@link
     * java.util.concurrent.CompletionStage} of it.
     */
    public <Q> Builder answer(
        Class<Q> requestClass, RequestHandlerFunction<? super Q, ?> responder) {
      return add(
          new Responder<>(
              requestClass,
              responder,
              "responder for " + requestClass.getSimpleName() + " (lambda)"));
    }

    private Builder add(Responder<?> responder) {
      Responder<?> existing = responders.putIfAbsent(responder.requestClass(), responder);
      if (existing != null) {
        throw new EventBusConfigurationException(
            "Two responders for "
                + responder.requestClass().getName()
                + " in one subscription: "
                + existing.description()
                + " and "
                + responder.description());
      }
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
      return new Handlers(byClass, responders);
    }
  }
}
