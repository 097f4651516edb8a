package io.eventbus.internal;

import static io.eventbus.internal.MessagingAttributes.ATTEMPT;
import static io.eventbus.internal.MessagingAttributes.CLOUDEVENTS_TYPE;
import static io.eventbus.internal.MessagingAttributes.MESSAGE_ID;
import static io.eventbus.internal.MessagingAttributes.OPERATION_NAME;
import static io.eventbus.internal.MessagingAttributes.OPERATION_SETTLE;
import static io.eventbus.internal.MessagingAttributes.OPERATION_TYPE;
import static io.eventbus.internal.MessagingAttributes.OUTCOME;
import static io.eventbus.internal.MessagingAttributes.REDELIVERED;
import static io.eventbus.internal.MessagingAttributes.REDELIVERIES;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The consumer side of one subscription's instrumentation, used by {@link Pipeline}'s tracing and
 * metrics links.
 *
 * <h2>Trace structure</h2>
 *
 * One CONSUMER span {@code process <destination>} per delivery, whose parent is the message's
 * creation context (the producer's {@code send} span, extracted from the headers) and which also
 * links to it, as the conventions allow for single-message push consumers; if the consumer thread
 * already runs in a span (an agent instrumenting the client library), that span is the parent and
 * the creation context only a link. Under it: an INTERNAL span {@code handle <type>} per in-process
 * attempt, and a CLIENT span {@code dead_letter <destination>} or {@code redeliver <destination>}
 * (operation type {@code settle}) for the step that settled a failed delivery.
 */
final class ConsumerTelemetry {
  /** How a delivery was settled. */
  enum Outcome {
    ACK("ack"),
    REDELIVER("redeliver"),
    DEAD_LETTER("dead_letter"),
    REQUEUE("requeue"),
    /** Given back to its queue for later: its subscription paused (circuit open, back-off). */
    DEFER("defer"),
    /** A request answered with its reply (acknowledged). */
    REPLY("reply"),
    /** A request answered with a failure reply (acknowledged). */
    ERROR_REPLY("error_reply"),
    /** A request dropped unanswered because its deadline had passed (acknowledged). */
    EXPIRED("expired"),
    UNSETTLED("unsettled");

    final String value;

    Outcome(String value) {
      this.value = value;
    }
  }

  /** Span names and attribute sets of one event type, made once. */
  record Names(
      String process,
      String deadLetter,
      String redeliver,
      String attempt,
      Attributes span,
      Attributes metric) {}

  /**
   * The type name under which every type this subscription does not handle is reported, as the
   * semantic conventions do for values outside a known set.
   */
  static final String OTHER_TYPE = "_OTHER";

  private final Telemetry telemetry;
  private final String subscription;
  private final Map<String, Names> byType;
  private final Names other;
  private final Names untyped;

  /**
   * The consumer side of {@code subscription}, which handles {@code types}: names are made once for
   * each of them, and shared by all other types.
   */
  ConsumerTelemetry(Telemetry telemetry, String subscription, Set<String> types) {
    this.telemetry = telemetry;
    this.subscription = subscription;
    Map<String, Names> names = new HashMap<>();
    for (String type : types) {
      names.put(type, makeNames(type));
    }
    this.byType = Map.copyOf(names);
    this.other = makeNames(OTHER_TYPE);
    this.untyped = makeNames("");
  }

  /**
   * The names for {@code type}: its own if the subscription handles it, {@value #OTHER_TYPE} for
   * any other (a hostile producer's made-up names must not grow a cache or a metric's attribute
   * set), and the subscription's own for a message without a type. Made once, never per delivery.
   */
  Names names(@Nullable String type) {
    if (type == null) {
      return untyped;
    }
    Names names = byType.get(type);
    return names != null ? names : other;
  }

  /** How many distinct names are held: the handled types plus two. For tests. */
  int cachedNames() {
    return byType.size() + 2;
  }

  private Names makeNames(String type) {
    StringBuilder destination = new StringBuilder(telemetry.names.exchange());
    for (String part : new String[] {type, type.equals(subscription) ? "" : subscription}) {
      if (!part.isEmpty()) {
        destination.append(destination.length() == 0 ? "" : ":").append(part);
      }
    }
    Attributes metric =
        Telemetry.consumerAttributes(telemetry.names, destination.toString(), subscription);
    AttributesBuilder span = metric.toBuilder();
    if (!type.isEmpty()) {
      span.put(CLOUDEVENTS_TYPE, type);
      Telemetry.putRoutingKey(span, telemetry.names, type);
    }
    return new Names(
        "process " + destination,
        MessagingAttributes.NAME_DEAD_LETTER + " " + destination,
        MessagingAttributes.NAME_REDELIVER + " " + destination,
        "handle " + (type.isEmpty() ? subscription : type),
        span.build(),
        metric);
  }

  /** Starts the process span of one delivery; the caller makes it current and ends it. */
  Span startProcess(
      Names names,
      Map<String, String> headers,
      @Nullable String id,
      int attempt,
      boolean redelivered,
      int redeliveries) {
    Context creation =
        telemetry.propagator.extract(Context.root(), headers, HeaderPropagation.INSTANCE);
    SpanContext producer = Span.fromContext(creation).getSpanContext();
    Context ambient = Context.current();
    boolean inSpan = Span.fromContext(ambient).getSpanContext().isValid();
    SpanBuilder builder =
        telemetry
            .tracer
            .spanBuilder(names.process())
            .setSpanKind(SpanKind.CONSUMER)
            .setParent(inSpan ? ambient : creation)
            .setAllAttributes(names.span())
            .setAttribute(ATTEMPT, (long) attempt)
            .setAttribute(REDELIVERED, redelivered)
            .setAttribute(REDELIVERIES, (long) redeliveries);
    if (producer.isValid()) {
      builder.addLink(producer);
    }
    if (id != null) {
      builder.setAttribute(MESSAGE_ID, id);
    }
    return builder.startSpan();
  }

  /** Ends the process span with the delivery's outcome; a failed delivery is an error. */
  void endProcess(Span span, Outcome outcome, @Nullable Throwable failure) {
    span.setAttribute(OUTCOME, outcome.value);
    if (failure != null && outcome != Outcome.ACK) {
      Telemetry.fail(span, failure);
    }
    span.end();
  }

  /** Starts the span of one in-process attempt, a child of the current (process) span. */
  Span startAttempt(Names names, int attempt) {
    return telemetry
        .tracer
        .spanBuilder(names.attempt())
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(ATTEMPT, (long) attempt)
        .startSpan();
  }

  /**
   * Starts the span of the step that settles a failed delivery ({@code dead_letter} or {@code
   * redeliver}), a child of the current (process) span, carrying the failure's {@code error.type}.
   */
  Span startSettle(Names names, String operation, Throwable failure, int attempts) {
    Span span =
        telemetry
            .tracer
            .spanBuilder(
                operation.equals(MessagingAttributes.NAME_DEAD_LETTER)
                    ? names.deadLetter()
                    : names.redeliver())
            .setSpanKind(SpanKind.CLIENT)
            .setAllAttributes(names.span())
            .setAttribute(OPERATION_TYPE, OPERATION_SETTLE)
            .setAttribute(OPERATION_NAME, operation)
            .setAttribute(ATTEMPT, (long) attempts)
            .setAttribute(MessagingAttributes.ERROR_TYPE, Telemetry.errorType(failure))
            .startSpan();
    span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    return span;
  }

  /** Counts a delivery held back, with {@code reason} ({@code circuit_open}, …). */
  void recordDeferred(String reason) {
    telemetry.deferred.add(
        1,
        Attributes.of(
            MessagingAttributes.MESSAGING_SYSTEM,
            telemetry.names.system(),
            MessagingAttributes.CONSUMER_GROUP,
            subscription,
            MessagingAttributes.DEFERRAL_REASON,
            reason));
  }

  /** Records how long a delivery of {@code names}' type waited for the {@code limiter}. */
  void recordLimiterWait(Names names, String limiter, long nanos) {
    telemetry.limiterWait.record(
        Math.max(0, nanos) / 1e9,
        names.metric().toBuilder().put(MessagingAttributes.LIMITER, limiter).build());
  }

  /**
   * Registers {@code eventbus.consumer.circuit.state} for this subscription: 1 for the state {@code
   * state} names now ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}), 0 for the others. Closing
   * the result unregisters it.
   */
  AutoCloseable circuitStateGauge(Supplier<String> state) {
    String[] states = {"CLOSED", "OPEN", "HALF_OPEN"};
    Attributes[] attributes = new Attributes[states.length];
    for (int i = 0; i < states.length; i++) {
      attributes[i] =
          Attributes.of(
              MessagingAttributes.MESSAGING_SYSTEM,
              telemetry.names.system(),
              MessagingAttributes.CONSUMER_GROUP,
              subscription,
              MessagingAttributes.CIRCUIT_STATE,
              states[i].toLowerCase(Locale.ROOT));
    }
    ObservableLongGauge gauge =
        telemetry
            .meter
            .gaugeBuilder("eventbus.consumer.circuit.state")
            .ofLongs()
            .setUnit("1")
            .setDescription("1 for the current state of a subscription's circuit, 0 for others.")
            .buildWithCallback(
                measurement -> {
                  String now = state.get();
                  for (int i = 0; i < states.length; i++) {
                    measurement.record(states[i].equals(now) ? 1 : 0, attributes[i]);
                  }
                });
    return gauge::close;
  }

  /** Records one processed delivery: its count, duration and how it was settled. */
  void recordProcessed(
      Names names, long startNanos, Outcome outcome, @Nullable Throwable failure, int retried) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    boolean failed = failure != null && outcome != Outcome.ACK;
    Attributes attributes = failed ? Telemetry.withError(names.metric(), failure) : names.metric();
    telemetry.processDuration.record(seconds, attributes);
    if (retried > 0) {
      telemetry.retries.add(retried, names.metric());
    }
    if (outcome == Outcome.REDELIVER) {
      telemetry.redeliveries.add(1, attributes);
    } else if (outcome == Outcome.DEAD_LETTER) {
      telemetry.deadLettered.add(1, attributes);
    }
    // Counted last, so that a reader who sees a delivery consumed sees all of its figures too.
    telemetry.consumedMessages.add(1, names.metric());
  }
}
