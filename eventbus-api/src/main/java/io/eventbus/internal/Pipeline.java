package io.eventbus.internal;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventPublisher;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers.Registration;
import io.eventbus.Handlers.Responder;
import io.eventbus.Health;
import io.eventbus.Sleeper;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.EventCodec;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.middleware.Middlewares;
import io.eventbus.middleware.Stage;
import io.eventbus.spi.InboundMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one subscription's links in their order, the order drawn in docs/architecture.md ("The
 * chain"), and runs each delivery through them. Each built-in link is a class of its own; this one
 * only orders them, inserts user middleware before its {@link Stage}, and starts each delivery.
 *
 * <p>The links are shared by all deliveries; the chain objects that connect them are made per
 * delivery (like OkHttp's {@code RealInterceptorChain}), so that the settling links reach the
 * delivery's {@link InboundMessage} and its {@link DeliveryState} without thread-locals or shared
 * mutable state. Tracing and metrics are present only when the bus's {@link Telemetry} is enabled;
 * the rate and concurrency limits only when set.
 *
 * <h2>Lifecycle</h2>
 *
 * The circuit and the limits keep deliveries waiting; {@link #close()} sends those back to their
 * queue and makes later ones go back at once. The owner pauses the transport subscription first (so
 * that nothing returned comes straight back to this pipeline), closes the pipeline, then closes the
 * transport subscription.
 */
final class Pipeline implements Consumer<InboundMessage>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /** At most one warning about invalid history headers per this interval. */
  private static final long WARN_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

  private final String subscription;
  private final Clock clock;
  private final LongAdder invalidHistory = new LongAdder();
  private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());
  private final List<Link> links = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final @Nullable DeadLetterLink settlement;
  private final @Nullable Chain handler;
  private final @Nullable ReplyLink replies;
  private final @Nullable ResponderInvoker responder;
  private final @Nullable Circuit circuit;
  private final List<Runnable> closeables = new ArrayList<>();
  private volatile @Nullable EventPublisher publisher;

  /** A pipeline whose circuit cannot pause its transport: for tests of the links alone. */
  Pipeline(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      SubscriptionOptions options,
      Clock clock,
      Sleeper sleeper,
      Telemetry telemetry) {
    this(
        subscription,
        handlersByType,
        registry,
        codec,
        options,
        clock,
        sleeper,
        telemetry,
        new SubscriptionControl(subscription),
        Scheduler.shared(),
        System::nanoTime);
  }

  /**
   * @param control the handle on the transport subscription, attached once it runs
   * @param scheduler wakes the circuit to probe or resume
   * @param ticker monotonic nanoseconds, for the rate limit
   */
  Pipeline(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      SubscriptionOptions options,
      Clock clock,
      Sleeper sleeper,
      Telemetry telemetry,
      SubscriptionControl control,
      Scheduler scheduler,
      LongSupplier ticker) {
    this.subscription = subscription;
    this.clock = clock;
    Map<String, Registration<?>> handlers = Map.copyOf(handlersByType);
    @Nullable ConsumerTelemetry traced =
        telemetry.enabled() ? telemetry.consumer(subscription, handlers.keySet()) : null;
    RetrySelection retries = new RetrySelection(handlers, options.retryPolicy(), sleeper);
    this.settlement = new DeadLetterLink(subscription, clock, traced);
    this.handler = new HandlerInvoker(subscription, handlers);
    this.replies = null;
    this.responder = null;
    @Nullable Duration timeout = options.handlerTimeout();
    Circuit circuit =
        new Circuit(
            subscription,
            options.circuitBreaker(),
            clock,
            scheduler,
            control,
            options.ordering() == SubscriptionOptions.Ordering.NONE,
            traced);
    this.circuit = circuit;
    closeables.add(circuit::close);
    RateLimitLink rateLimit =
        options.rateLimit() == null
            ? null
            : new RateLimitLink(options.rateLimit().interval(), sleeper, ticker, traced);
    ConcurrencyLimitLink concurrencyLimit = concurrencyLimit(options, handlers, traced);
    if (rateLimit != null) {
      closeables.add(rateLimit::close);
    }
    if (concurrencyLimit != null) {
      closeables.add(concurrencyLimit::close);
    }

    stage(options, Stage.LOGGING, Link.of(Middlewares.logging()));
    stage(options, Stage.TRACING, traced == null ? null : new TracingLink(traced));
    stage(options, Stage.METRICS, traced == null ? null : new MetricsLink(traced));
    stage(options, Stage.DEAD_LETTER, settlement);
    stage(options, Stage.DECODE, new DecodeLink(subscription, handlers, registry, codec));
    stage(
        options,
        Stage.DELAYED_REDELIVERY,
        new RedeliveryLink(subscription, options.redeliveryDelays(), retries, clock, traced));
    stage(
        options,
        Stage.CIRCUIT_BREAKER,
        new CircuitBreakerLink(circuit, retries, options.circuitBreaker(), clock));
    stage(options, Stage.RATE_LIMIT, rateLimit);
    stage(options, Stage.CONCURRENCY_LIMIT, concurrencyLimit);
    stage(options, Stage.RETRY, retries);
    add("attempt", new AttemptLink(clock, traced));
    stage(options, Stage.TIMEOUT, timeout == null ? null : Link.of(Middlewares.timeout(timeout)));
    stage(options, Stage.HANDLER, null);
  }

  /**
   * How many history values (our attempt, redelivery and failure-time headers, the broker's
   * delivery count) were present but invalid or out of range, and so read as absent, since the
   * start. See {@link DeliveryHistory}.
   */
  long invalidHistoryValues() {
    return invalidHistory.sum();
  }

  private void warnInvalidHistory() {
    long now = System.nanoTime();
    long next = nextWarnNanos.get();
    if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
      log.warn(
          "Subscription {} received history headers (eventbus-attempts, eventbus-redeliveries,"
              + " eventbus-first-failure-time, or the broker's delivery count) that are invalid or"
              + " out of range; they are read as absent ({} such values so far; at most one such"
              + " warning a minute)",
          subscription,
          invalidHistory.sum());
    }
  }

  /**
   * A responder subscription's pipeline: the same links as an event subscription's, except that
   * {@link ReplyLink} settles in the {@code DEAD_LETTER} stage (answering instead of parking) and
   * there is neither delayed redelivery nor in-process retry: a request's requester is waiting, and
   * retries are its policy's business. Drawn in docs/architecture.md ("The chain").
   */
  Pipeline(
      String subscription,
      Map<String, Responder<?>> respondersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      SubscriptionOptions options,
      Clock clock,
      Telemetry telemetry,
      ReplyWriter writer,
      RequestTelemetry requestTelemetry) {
    this.subscription = subscription;
    this.clock = clock;
    Map<String, Responder<?>> responders = Map.copyOf(respondersByType);
    Map<String, Registration<?>> decodable = new java.util.HashMap<>();
    responders.forEach((type, answering) -> decodable.put(type, asRegistration(answering)));
    @Nullable ConsumerTelemetry traced =
        telemetry.enabled() ? telemetry.consumer(subscription, responders.keySet()) : null;
    this.settlement = null;
    this.handler = null;
    this.replies = new ReplyLink(subscription, writer, clock, requestTelemetry);
    this.responder = new ResponderInvoker(subscription, responders, clock);
    this.circuit = null;
    @Nullable Duration timeout = options.handlerTimeout();

    stage(options, Stage.LOGGING, Link.of(Middlewares.logging()));
    stage(options, Stage.TRACING, traced == null ? null : new TracingLink(traced));
    stage(options, Stage.METRICS, traced == null ? null : new MetricsLink(traced));
    stage(options, Stage.DEAD_LETTER, replies);
    stage(options, Stage.DECODE, new DecodeLink(subscription, decodable, registry, codec));
    stage(options, Stage.DELAYED_REDELIVERY, null);
    // Responders get no circuit or limits of their own (the requester's RequestPolicy has those);
    // user middleware placed at these stages still runs here.
    stage(options, Stage.CIRCUIT_BREAKER, null);
    stage(options, Stage.RATE_LIMIT, null);
    stage(options, Stage.CONCURRENCY_LIMIT, null);
    stage(options, Stage.RETRY, null);
    add("attempt", new AttemptLink(clock, traced));
    stage(options, Stage.TIMEOUT, timeout == null ? null : Link.of(Middlewares.timeout(timeout)));
    stage(options, Stage.HANDLER, null);
  }

  /** What the decode link needs of a responder: its request class. Never called as a handler. */
  private static <Q> Registration<Q> asRegistration(Responder<Q> responder) {
    return new Registration<>(
        responder.requestClass(),
        (request, context) -> {
          throw new IllegalStateException(responder.description() + " is a responder");
        },
        responder.description());
  }

  /**
   * The concurrency limit link, or null without limits. A limit for an event class no handler of
   * the subscription takes is a configuration mistake.
   */
  private static @Nullable ConcurrencyLimitLink concurrencyLimit(
      SubscriptionOptions options,
      Map<String, Registration<?>> handlers,
      @Nullable ConsumerTelemetry telemetry) {
    if (options.concurrencyLimit() == 0 && options.concurrencyLimits().isEmpty()) {
      return null;
    }
    Map<String, Integer> byType = new HashMap<>();
    options
        .concurrencyLimits()
        .forEach(
            (eventClass, limit) -> {
              List<String> types = new ArrayList<>();
              handlers.forEach(
                  (type, registration) -> {
                    if (registration.eventClass().equals(eventClass)) {
                      types.add(type);
                    }
                  });
              if (types.isEmpty()) {
                throw new EventBusConfigurationException(
                    "concurrencyLimit",
                    "concurrencyLimit for "
                        + eventClass.getName()
                        + ": subscription '"
                        + options.name()
                        + "' has no handler for it");
              }
              types.forEach(type -> byType.put(type, limit));
            });
    return new ConcurrencyLimitLink(
        options.concurrencyLimit() == 0 ? null : options.concurrencyLimit(), byType, telemetry);
  }

  /**
   * {@code transport}'s health of the subscription, with its circuit's state added (a responder
   * pipeline has no circuit).
   */
  Health.Component health(Health.Component transport) {
    Health.Component health = circuit == null ? transport : circuit.health(transport);
    long invalid = invalidHistory.sum();
    if (invalid == 0) {
      return health;
    }
    Map<String, Object> details = new java.util.LinkedHashMap<>(health.details());
    details.put("invalidHistoryHeaders", invalid);
    return new Health.Component(health.name(), health.status(), health.detail(), details);
  }

  /** The subscription's circuit; for tests of an event pipeline. */
  Circuit circuit() {
    return java.util.Objects.requireNonNull(circuit, "a responder pipeline has no circuit");
  }

  /**
   * Sends the deliveries waiting in the circuit and the limits back to their queue, and every later
   * one at once. Idempotent.
   */
  @Override
  public void close() {
    closeables.forEach(Runnable::run);
  }

  /**
   * Gives handlers {@code publisher} as their {@link io.eventbus.EventContext#publisher()}; called
   * by the bus before the transport delivers anything.
   */
  Pipeline publishingThrough(EventPublisher publisher) {
    this.publisher = publisher;
    return this;
  }

  /**
   * The links outermost first: a stage's name, {@code attempt} for the attempt record, or {@code
   * user:<middleware>}. For tests and logs.
   */
  List<String> links() {
    return List.copyOf(names);
  }

  /** The user middleware placed before {@code stage}, then the stage's own link if it has one. */
  private void stage(SubscriptionOptions options, Stage stage, @Nullable Link link) {
    for (Middleware middleware : options.middleware(stage)) {
      add("user:" + middleware, Link.of(middleware));
    }
    if (link != null) {
      add(stage.name(), link);
    }
  }

  private void add(String name, Link link) {
    names.add(name);
    links.add(link);
  }

  private Chain chain(int index, DeliveryState state) {
    if (index == links.size()) {
      ResponderInvoker answering = responder;
      if (answering != null) {
        return delivery -> answering.answer(delivery, state);
      }
      return java.util.Objects.requireNonNull(handler);
    }
    Link link = links.get(index);
    Chain next = chain(index + 1, state);
    return delivery -> link.handle(delivery, next, state);
  }

  /**
   * Runs one delivery through the links and settles it: the dead-letter link's rule also guards the
   * links outside it, and acknowledges a delivery that a user link before it short-circuited.
   */
  @Override
  public void accept(InboundMessage inbound) {
    DeliveryState state = new DeliveryState(inbound, clock);
    int invalid = state.history().invalid();
    if (invalid > 0) {
      invalidHistory.add(invalid);
      warnInvalidHistory();
    }
    EventPublisher publishing = publisher;
    DeliveryContext delivery =
        publishing == null
            ? DeliveryContext.received(
                subscription, inbound.message(), inbound.redelivered(), state.firstAttempt())
            : DeliveryContext.received(
                subscription,
                inbound.message(),
                inbound.redelivered(),
                state.firstAttempt(),
                publishing);
    Chain chain = chain(0, state);
    if (replies != null) {
      replies.settle(state, () -> chain.proceed(delivery));
    } else {
      java.util.Objects.requireNonNull(settlement).settle(state, () -> chain.proceed(delivery));
    }
  }
}
