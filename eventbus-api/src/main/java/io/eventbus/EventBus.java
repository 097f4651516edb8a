package io.eventbus;

import io.eventbus.codec.EventCodec;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.internal.DefaultEventBus;
import io.eventbus.internal.Telemetry;
import io.eventbus.spi.Transport;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Publishes typed events and runs subscriptions of typed handlers over a {@link Transport}.
 *
 * <pre>{@code
 * try (EventBus bus = EventBus.builder()
 *         .transport(RabbitTransport.builder().uri("amqp://localhost").build())
 *         .source("/orders")
 *         .subscribe("shipping", new ShippingHandlers())
 *         .build()) {
 *   bus.publishAndWait(new OrderPlaced("o-1", new BigDecimal("9.90")));
 * }
 * }</pre>
 *
 * <h2>Delivery</h2>
 *
 * At least once. A handler that returns normally acknowledges its event. A message that cannot be
 * decoded, whose type is unknown, or whose handler throws is parked in its subscription's
 * dead-letter queue with the reason in its headers, and the subscription goes on with the next one.
 *
 * <h2>Request-reply</h2>
 *
 * {@link #request} sends a typed request to one responder (a {@link RequestHandler} method of a
 * subscription on any bus sharing the broker) and completes with its typed reply, within a deadline
 * ({@link RequestOptions#timeout}, or the type's {@link RequestPolicy#timeout()}, 5 s by default).
 * Failures are {@link RequestException}s with a {@link RequestException.Reason}; per request class,
 * {@link Builder#requestPolicy} adds retries (for idempotent requests), a circuit breaker, a
 * fallback and a concurrency limit. See docs/request-reply.md.
 *
 * <pre>{@code
 * CompletionStage<CustomerStatus> status =
 *     bus.request(new CheckCustomer("c-1"), CustomerStatus.class);
 * }</pre>
 *
 * <h2>Observability</h2>
 *
 * With an OpenTelemetry SDK (or the agent) installed, every publish is a PRODUCER span whose
 * context travels in the message's {@code traceparent} header, and every delivery a CONSUMER span
 * that continues that trace, with a span per handler attempt and one for a redelivery or
 * dead-lettering step; messaging metrics follow the OpenTelemetry semantic conventions (see
 * docs/architecture.md, "Observability"). Without an SDK none of it runs. {@link #health()} says
 * whether the bus works, for a readiness probe.
 *
 * <h2>Thread safety</h2>
 *
 * Safe to share: publish and subscribe from any number of threads. Build one per application.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} starts the subscriptions it was given. {@link #close()} stops every
 * subscription (handlers in flight finish), then closes the transport, which the bus owns. Close is
 * idempotent; publishing after it fails at once.
 *
 * <h2>Failures</h2>
 *
 * See {@link EventPublisher} for publishing. Subscribing to a type whose class is not registered or
 * annotated fails with {@link EventBusConfigurationException}.
 */
public interface EventBus extends EventPublisher, AutoCloseable {

  /** A builder for a bus. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a subscription with default options for the {@link EventHandler} methods of {@code
   * handler}.
   */
  default Subscription subscribe(String name, Object handler) {
    return subscribe(SubscriptionOptions.named(name), Handlers.scan(handler));
  }

  /** Starts a subscription with default options for {@code handlers}. */
  default Subscription subscribe(String name, Handlers handlers) {
    return subscribe(SubscriptionOptions.named(name), handlers);
  }

  /**
   * Starts a subscription. Its queue, dead-letter queue and bindings are declared first; when this
   * returns, events published from then on reach it.
   */
  Subscription subscribe(SubscriptionOptions options, Handlers handlers);

  /**
   * The bus's health now: its transport's connections and publisher and each subscription (named
   * {@code subscription:<name>}), and the worst of their statuses. {@link Health.Status#DOWN} when
   * a connection is lost, a subscription's consumer is gone or stalled (see {@link
   * SubscriptionOptions#stallTimeout()}), or the bus is closed; {@link Health.Status#DEGRADED} for
   * a subscription whose circuit is open or half-open or that backs off from an unavailable
   * dependency, with the reason and when it probes or resumes. Cheap: it never waits for the
   * broker; what needs a round trip is sampled in the background every few seconds.
   */
  Health health();

  /**
   * Sends {@code request} to a responder of its type and completes with the reply decoded as {@code
   * replyClass}, or with the request type's fallback, or exceptionally with a {@link
   * RequestException} (or {@link UnknownEventTypeException} if the request or reply class has no
   * type name: neither registered nor annotated with {@link EventType}). Completes by the deadline
   * in every case; never blocks the caller.
   *
   * <p>The default, for buses that are not built by {@link #builder()} (test doubles, decorators),
   * fails with {@link RequestException.Reason#CLOSED}: such a bus does not do request-reply.
   */
  default <R> CompletionStage<R> request(
      Object request, Class<R> replyClass, RequestOptions options) {
    return CompletableFuture.failedFuture(
        RequestException.of(
            "-",
            request.getClass().getName(),
            RequestException.Reason.CLOSED,
            getClass().getName() + " does not support request-reply",
            null));
  }

  /** {@link #request(Object, Class, RequestOptions)} with the type's default deadline. */
  default <R> CompletionStage<R> request(Object request, Class<R> replyClass) {
    return request(request, replyClass, RequestOptions.defaults());
  }

  /**
   * Sends {@code request} and waits for the reply (see {@link #request(Object, Class,
   * RequestOptions)}).
   *
   * @throws RequestException if there is no reply and no fallback
   */
  default <R> R requestAndWait(Object request, Class<R> replyClass, RequestOptions options) {
    try {
      return request(request, replyClass, options).toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new EventBusException("Request failed", e.getCause());
    }
  }

  /** {@link #requestAndWait(Object, Class, RequestOptions)} with the type's default deadline. */
  default <R> R requestAndWait(Object request, Class<R> replyClass) {
    return requestAndWait(request, replyClass, RequestOptions.defaults());
  }

  /** The types this bus knows: those registered and those its handlers take. */
  EventTypeRegistry registry();

  /** Stops every subscription, then closes the transport. Idempotent. */
  @Override
  void close();

  /**
   * Collects the bus's parts; {@link #build()} validates them all at once and starts the bus.
   * Setters only reject null. Not thread-safe.
   */
  final class Builder {
    private @Nullable Transport transport;
    private String source = "/eventbus";
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private EventCodec codec = JacksonEventCodec.create();
    private @Nullable OpenTelemetry openTelemetry;
    private final EventTypeRegistry.Builder registry = EventTypeRegistry.builder();
    private final List<SubscriptionOptions> subscriptionOptions = new ArrayList<>();
    private final List<Handlers> subscriptionHandlers = new ArrayList<>();
    private final Map<Class<?>, RequestPolicy> requestPolicies = new LinkedHashMap<>();

    private Builder() {}

    /** The transport to publish and consume through (required). The bus closes it. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * The CloudEvents {@code source} of published events: a URI-reference naming this service, for
     * example {@code /orders} (default {@code /eventbus}).
     */
    public Builder source(String source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * The clock that stamps events and times failures in dead-letter and redelivery headers
     * (default UTC system clock).
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How in-process retries wait between attempts (default {@link Sleeper#system()}, which
     * sleeps). Tests inject one that returns at once, or one that advances their clock.
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** The body codec (default {@link JacksonEventCodec#create()}). */
    public Builder codec(EventCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Where spans and metrics go (default {@link GlobalOpenTelemetry#get()}, which is a no-op until
     * an SDK or the OpenTelemetry agent installs itself). The bus hands it to its transport too.
     * With {@link OpenTelemetry#noop()} nothing is instrumented at all.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Registers event classes under their {@link EventType} names (needed for publish-only types).
     */
    public Builder register(Class<?>... eventClasses) {
      registry.register(eventClasses);
      return this;
    }

    /** Registers {@code eventClass} under an explicit type name. */
    public Builder register(String typeName, Class<?> eventClass) {
      registry.register(typeName, eventClass);
      return this;
    }

    /**
     * How requests of {@code requestClass} are sent: deadline, retries, circuit breaker, fallback,
     * concurrency limit (default {@link RequestPolicy#defaults()}).
     */
    public Builder requestPolicy(Class<?> requestClass, RequestPolicy policy) {
      Objects.requireNonNull(requestClass, "requestClass");
      requestPolicies.put(requestClass, Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /** Adds a subscription with default options, started by {@link #build()}. */
    public Builder subscribe(String name, Object handler) {
      return subscribe(SubscriptionOptions.named(name), Handlers.scan(handler));
    }

    /**
     * Adds a subscription with default options for {@code handlers}, started by {@link #build()}.
     */
    public Builder subscribe(String name, Handlers handlers) {
      return subscribe(SubscriptionOptions.named(name), handlers);
    }

    /** Adds a subscription, started by {@link #build()}. */
    public Builder subscribe(SubscriptionOptions options, Handlers handlers) {
      subscriptionOptions.add(Objects.requireNonNull(options, "options"));
      subscriptionHandlers.add(Objects.requireNonNull(handlers, "handlers"));
      return this;
    }

    /**
     * Checks the settings, builds the bus and starts its subscriptions. If a subscription cannot
     * start, everything opened so far, the transport included, is closed and the failure is thrown.
     *
     * @throws EventBusConfigurationException naming the setting when the transport is missing or
     *     the source is empty or over 255 bytes (the transport is then closed)
     */
    public EventBus build() {
      if (transport == null) {
        throw new EventBusConfigurationException(
            "transport", "EventBus.builder() needs a transport");
      }
      String sourceProblem = EventMetadata.shortStringProblem(source, "source");
      if (sourceProblem != null) {
        transport.close();
        throw new EventBusConfigurationException("source", sourceProblem);
      }
      OpenTelemetry telemetry = openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get();
      DefaultEventBus bus;
      try {
        transport.instrument(telemetry);
        bus =
            new DefaultEventBus(
                transport,
                source,
                clock,
                sleeper,
                codec,
                registry.build(),
                Telemetry.create(telemetry, transport.telemetryNames()),
                requestPolicies,
                telemetry);
      } catch (RuntimeException e) {
        transport.close();
        throw e;
      }
      try {
        for (int i = 0; i < subscriptionOptions.size(); i++) {
          bus.subscribe(subscriptionOptions.get(i), subscriptionHandlers.get(i));
        }
      } catch (RuntimeException e) {
        bus.close();
        throw e;
      }
      return bus;
    }
  }
}
