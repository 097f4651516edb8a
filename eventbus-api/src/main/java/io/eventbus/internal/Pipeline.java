package io.eventbus.internal;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers.Registration;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.internal.ConsumerTelemetry.Names;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.middleware.Middlewares;
import io.eventbus.middleware.Stage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's processing of a delivery: the links in their fixed order and the settlement of
 * the outcome. This class is the one place that orders them (drawn in {@link Middleware}'s
 * Javadoc):
 *
 * <pre>
 * logging → tracing → metrics → dead-letter/settle → decode → delayed redelivery → retry
 *   → (attempt: failure record, attempt span) → timeout → user middleware → handler
 * </pre>
 *
 * Tracing and metrics are present only when the bus's {@link Telemetry} is enabled.
 *
 * <p>with the user middleware added before a {@link Stage} placed just before that link. The links
 * are shared by all deliveries; the chain objects that connect them are made per delivery (like
 * OkHttp's {@code RealInterceptorChain}), so that the settling links can reach the delivery's
 * {@link InboundMessage} and its failure history without any thread-local or shared mutable state.
 */
public final class Pipeline implements Consumer<InboundMessage> {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final String subscription;
  private final Map<String, Registration<?>> handlersByType;
  private final Supplier<EventTypeRegistry> registry;
  private final EventCodec codec;
  private final Clock clock;
  private final List<Duration> redeliveryDelays;
  private final RetryPolicy defaultPolicy;
  private final Middleware defaultRetry;
  private final Map<String, Middleware> retryByType = new HashMap<>();
  private final List<Link> links = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final @Nullable ConsumerTelemetry telemetry;

  /** A pipeline without tracing or metrics. */
  public Pipeline(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      SubscriptionOptions options,
      Clock clock) {
    this(subscription, handlersByType, registry, codec, options, clock, Telemetry.disabled());
  }

  public Pipeline(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      SubscriptionOptions options,
      Clock clock,
      Telemetry telemetry) {
    this.subscription = subscription;
    this.telemetry = telemetry.enabled() ? telemetry.consumer(subscription) : null;
    this.handlersByType = Map.copyOf(handlersByType);
    this.registry = registry;
    this.codec = codec;
    this.clock = clock;
    this.redeliveryDelays = options.redeliveryDelays();
    this.defaultPolicy = options.retryPolicy();
    this.defaultRetry = Middlewares.retry(defaultPolicy);
    handlersByType.forEach(
        (type, registration) -> {
          if (registration.retryPolicy() != null) {
            retryByType.put(type, Middlewares.retry(registration.retryPolicy()));
          }
        });

    addUser(options, Stage.LOGGING);
    add("LOGGING", Middlewares.logging());
    addUser(options, Stage.TRACING);
    if (this.telemetry != null) {
      add("TRACING", this::trace);
    }
    addUser(options, Stage.METRICS);
    if (this.telemetry != null) {
      add("METRICS", this::measure);
    }
    addUser(options, Stage.DEAD_LETTER);
    add("DEAD_LETTER", this::settle);
    addUser(options, Stage.DECODE);
    add("DECODE", (delivery, next, state) -> decode(delivery, next));
    addUser(options, Stage.DELAYED_REDELIVERY);
    add("DELAYED_REDELIVERY", this::redeliverOnFailure);
    addUser(options, Stage.RETRY);
    add("RETRY", (delivery, next, state) -> retryFor(delivery).handle(delivery, next));
    links.add(this::recordFailure);
    addUser(options, Stage.TIMEOUT);
    if (options.handlerTimeout() != null) {
      add("TIMEOUT", Middlewares.timeout(options.handlerTimeout()));
    }
    addUser(options, Stage.HANDLER);
  }

  /**
   * The links outermost first: a stage's name, or {@code user:<middleware>}. For tests and logs.
   */
  public List<String> links() {
    return List.copyOf(names);
  }

  /** A link with access to the delivery's state. */
  @FunctionalInterface
  private interface Link {
    void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception;
  }

  private void add(String name, Middleware middleware) {
    add(name, (delivery, next, state) -> middleware.handle(delivery, next));
  }

  private void add(String name, Link link) {
    names.add(name);
    links.add(link);
  }

  private void addUser(SubscriptionOptions options, Stage stage) {
    for (Middleware middleware : options.middleware(stage)) {
      add("user:" + middleware, middleware);
    }
  }

  private Chain chain(int index, DeliveryState state) {
    if (index == links.size()) {
      return this::invokeHandler;
    }
    Link link = links.get(index);
    Chain next = chain(index + 1, state);
    return delivery -> link.handle(delivery, next, state);
  }

  @Override
  public void accept(InboundMessage inbound) {
    DeliveryState state = new DeliveryState(inbound, inbound.message().headers());
    DeliveryContext delivery =
        DeliveryContext.received(
            subscription, inbound.message(), inbound.redelivered(), state.priorAttempts + 1);
    try {
      chain(0, state).proceed(delivery);
    } catch (Throwable failure) {
      // Only a link outside the dead-letter stage can get here.
      if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
        state.requeue();
        throw (VirtualMachineError) failure;
      }
      park(state, failure);
      return;
    }
    // Settled already, unless a user link before DEAD_LETTER returned without proceeding.
    state.ack();
  }

  private void settle(DeliveryContext delivery, Chain next, DeliveryState state) {
    try {
      next.proceed(delivery);
    } catch (Throwable failure) {
      if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
        state.requeue();
        throw (VirtualMachineError) failure;
      }
      park(state, failure);
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    state.ack();
  }

  private void park(DeliveryState state, Throwable failure) {
    if (state.settled) {
      return;
    }
    state.settled = true;
    InboundMessage inbound = state.inbound;
    Map<String, String> headers = inbound.message().headers();
    @Nullable String id = attribute(headers, "id");
    @Nullable String type = attribute(headers, "type");
    Instant now = clock.instant();
    int attempts = state.attempts();
    state.failure = failure;
    state.outcome = Outcome.DEAD_LETTER;
    Span step =
        telemetry == null
            ? null
            : telemetry.startSettle(
                names(state), MessagingAttributes.NAME_DEAD_LETTER, failure, attempts);
    try {
      DeadLetterReason reason =
          DeadLetterReason.of(
              failure, subscription, attempts, state.firstFailure(now), state.lastFailure(now));
      if (step != null) {
        step.setAttribute(MessagingAttributes.DEAD_LETTER_REASON, reason.category());
      }
      inbound.deadLetter(reason);
      log.warn(
          "Event {} ({}) of subscription {} parked in the dead-letter queue after {} attempt(s):"
              + " {}: {}",
          id,
          type,
          subscription,
          attempts,
          failure.getClass().getName(),
          failure.getMessage());
    } catch (RuntimeException parkingFailed) {
      log.error(
          "Event {} ({}) of subscription {} could not be parked; returning it to the queue",
          id,
          type,
          subscription,
          parkingFailed);
      state.outcome = Outcome.REQUEUE;
      if (step != null) {
        step.recordException(parkingFailed);
      }
      inbound.requeue();
    } finally {
      if (step != null) {
        step.end();
      }
    }
  }

  private void decode(DeliveryContext delivery, Chain chain) throws Exception {
    WireMessage message = delivery.message();
    EventMetadata metadata = CloudEventsAttributes.fromHeaders(message.headers());
    String contentType = message.contentType();
    if (contentType != null && !mediaType(contentType).equals(mediaType(codec.contentType()))) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Unsupported content type '" + contentType + "', expected '" + codec.contentType() + "'",
          null);
    }
    Registration<?> handler = handlersByType.get(metadata.type());
    if (handler == null) {
      throw registry.get().classFor(metadata.type()).isPresent()
          ? UnknownEventTypeException.noHandler(metadata.id(), metadata.type(), subscription)
          : UnknownEventTypeException.unregisteredName(metadata.id(), metadata.type());
    }
    Object event;
    try {
      event = codec.decode(message.body(), handler.eventClass());
    } catch (Exception e) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Body of event "
              + metadata.id()
              + " could not be decoded as "
              + handler.eventClass().getName()
              + ": "
              + e.getMessage(),
          e);
    }
    chain.proceed(delivery.withEvent(metadata, event));
  }

  private void redeliverOnFailure(DeliveryContext delivery, Chain next, DeliveryState state)
      throws Exception {
    try {
      next.proceed(delivery);
    } catch (Exception failure) {
      RetryPolicy policy = policyFor(delivery);
      if (!policy.isRetryable(failure) || state.redeliveries >= redeliveryDelays.size()) {
        throw failure;
      }
      Duration delay = redeliveryDelays.get(state.redeliveries);
      Instant now = clock.instant();
      Map<String, String> history =
          DeadLetterReason.historyHeaders(
              failure,
              state.attempts(),
              state.redeliveries + 1,
              state.firstFailure(now),
              state.lastFailure(now));
      if (state.settled) {
        return;
      }
      state.settled = true;
      state.failure = failure;
      state.outcome = Outcome.REDELIVER;
      Span step =
          telemetry == null
              ? null
              : telemetry.startSettle(
                  names(state), MessagingAttributes.NAME_REDELIVER, failure, state.attempts());
      try (Scope ignored = step == null ? null : step.makeCurrent()) {
        if (step != null) {
          step.setAttribute(MessagingAttributes.REDELIVERY_DELAY_MS, delay.toMillis());
        }
        state.inbound.redeliverAfter(delay, history);
      } catch (RuntimeException redeliveryFailed) {
        state.outcome = Outcome.REQUEUE;
        if (step != null) {
          step.recordException(redeliveryFailed);
        }
        log.error(
            "Event {} of subscription {} could not be scheduled for redelivery; returning it to"
                + " the queue",
            delivery.metadata().id(),
            subscription,
            redeliveryFailed);
        state.inbound.requeue();
        return;
      } finally {
        if (step != null) {
          step.end();
        }
      }
      log.info(
          "Event {} ({}) of subscription {} failed {} attempt(s) ({}); redelivery {} of {} in {}",
          delivery.metadata().id(),
          delivery.metadata().type(),
          subscription,
          state.attempts(),
          failure.getClass().getName(),
          state.redeliveries + 1,
          redeliveryDelays.size(),
          delay);
    }
  }

  /**
   * Runs once per attempt under the retry link: records every failed attempt with its number and
   * time, and traces the attempt when tracing is on.
   */
  private void recordFailure(DeliveryContext delivery, Chain next, DeliveryState state)
      throws Exception {
    state.attemptsRun++;
    Span span = telemetry == null ? null : telemetry.startAttempt(names(state), delivery.attempt());
    try (Scope ignored = span == null ? null : span.makeCurrent()) {
      next.proceed(delivery);
    } catch (Exception failure) {
      state.failed(delivery.attempt(), clock.instant());
      if (span != null) {
        Telemetry.fail(span, failure);
      }
      throw failure;
    } finally {
      if (span != null) {
        span.end();
      }
    }
  }

  /**
   * The tracing link: one CONSUMER span around the rest of the delivery (see ConsumerTelemetry).
   */
  private void trace(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    ConsumerTelemetry consumer = Objects.requireNonNull(telemetry);
    Map<String, String> headers = delivery.message().headers();
    Span span =
        consumer.startProcess(
            names(state),
            headers,
            attribute(headers, "id"),
            delivery.attempt(),
            delivery.redelivered(),
            state.redeliveries);
    try (Scope ignored = span.makeCurrent()) {
      next.proceed(delivery);
    } catch (Exception | Error failure) {
      state.failure = failure;
      throw failure;
    } finally {
      consumer.endProcess(span, state.outcome, state.failure);
    }
  }

  /** The metrics link: counts the delivery, its duration and how it was settled. */
  private void measure(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    long start = System.nanoTime();
    try {
      next.proceed(delivery);
    } finally {
      Objects.requireNonNull(telemetry)
          .recordProcessed(
              names(state), start, state.outcome, state.failure, state.attemptsRun - 1);
    }
  }

  private Names names(DeliveryState state) {
    Names names = state.names;
    if (names == null) {
      names =
          Objects.requireNonNull(telemetry)
              .names(attribute(state.inbound.message().headers(), "type"));
      state.names = names;
    }
    return names;
  }

  private Middleware retryFor(DeliveryContext delivery) {
    return retryByType.getOrDefault(delivery.metadata().type(), defaultRetry);
  }

  private RetryPolicy policyFor(DeliveryContext delivery) {
    Registration<?> registration = handlersByType.get(delivery.metadata().type());
    return registration != null && registration.retryPolicy() != null
        ? registration.retryPolicy()
        : defaultPolicy;
  }

  @SuppressWarnings("unchecked")
  private void invokeHandler(DeliveryContext delivery) throws Exception {
    Registration<Object> handler =
        (Registration<Object>) handlersByType.get(delivery.metadata().type());
    if (handler == null) {
      throw UnknownEventTypeException.noHandler(
          delivery.metadata().id(), delivery.metadata().type(), subscription);
    }
    handler.function().handle(delivery.event(), delivery);
  }

  private static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static @Nullable String attribute(Map<String, String> headers, String name) {
    String value = headers.get(CloudEventsAttributes.PREFIX + name);
    return value != null ? value : headers.get(CloudEventsAttributes.ALTERNATE_PREFIX + name);
  }

  /**
   * One delivery's failure history: what earlier deliveries left in the headers, and the attempts
   * that failed in this one. Confined to the delivery's thread (the retry link runs attempts one
   * after another on it).
   */
  private static final class DeliveryState {
    final InboundMessage inbound;
    final int priorAttempts;
    final int redeliveries;
    final @Nullable Instant firstFailureBefore;
    boolean settled;
    Outcome outcome = Outcome.UNSETTLED;
    @Nullable Throwable failure;
    @Nullable Names names;
    int attemptsRun;
    int lastFailedAttempt;
    @Nullable Instant firstFailureHere;
    @Nullable Instant lastFailureHere;

    DeliveryState(InboundMessage inbound, Map<String, String> headers) {
      this.inbound = inbound;
      this.priorAttempts =
          count(headers.get(DeadLetterReason.HEADER_ATTEMPTS))
              + Math.max(0, inbound.deliveryCount());
      this.redeliveries = count(headers.get(DeadLetterReason.HEADER_REDELIVERIES));
      this.firstFailureBefore = instant(headers.get(DeadLetterReason.HEADER_FIRST_FAILURE));
    }

    void ack() {
      if (!settled) {
        settled = true;
        outcome = Outcome.ACK;
        inbound.ack();
      }
    }

    void requeue() {
      if (!settled) {
        settled = true;
        outcome = Outcome.REQUEUE;
        inbound.requeue();
      }
    }

    void failed(int attempt, Instant at) {
      lastFailedAttempt = Math.max(lastFailedAttempt, attempt);
      if (firstFailureHere == null) {
        firstFailureHere = at;
      }
      lastFailureHere = at;
    }

    /** Attempts so far, the failing one included: at least this delivery's first. */
    int attempts() {
      return Math.max(lastFailedAttempt, priorAttempts + 1);
    }

    Instant firstFailure(Instant now) {
      if (firstFailureBefore != null) {
        return firstFailureBefore;
      }
      return firstFailureHere != null ? firstFailureHere : now;
    }

    Instant lastFailure(Instant now) {
      return lastFailureHere != null ? lastFailureHere : now;
    }

    private static int count(@Nullable String value) {
      if (value == null) {
        return 0;
      }
      try {
        return Math.max(0, Integer.parseInt(value.trim()));
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    private static @Nullable Instant instant(@Nullable String value) {
      if (value == null) {
        return null;
      }
      try {
        return Instant.parse(value.trim());
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }
}
