package io.eventbus.internal;

import static io.eventbus.internal.MessagingAttributes.BODY_SIZE;
import static io.eventbus.internal.MessagingAttributes.CLOUDEVENTS_TYPE;
import static io.eventbus.internal.MessagingAttributes.CONSUMER_GROUP;
import static io.eventbus.internal.MessagingAttributes.CONVERSATION_ID;
import static io.eventbus.internal.MessagingAttributes.DESTINATION_NAME;
import static io.eventbus.internal.MessagingAttributes.ERROR_TYPE;
import static io.eventbus.internal.MessagingAttributes.MESSAGE_ID;
import static io.eventbus.internal.MessagingAttributes.MESSAGING_SYSTEM;
import static io.eventbus.internal.MessagingAttributes.OPERATION_NAME;
import static io.eventbus.internal.MessagingAttributes.OPERATION_PROCESS;
import static io.eventbus.internal.MessagingAttributes.OPERATION_SEND;
import static io.eventbus.internal.MessagingAttributes.OPERATION_TYPE;

import io.eventbus.spi.TelemetryNames;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The bus's tracer, propagator and instruments, and the producer side of its instrumentation (the
 * consumer side is {@link ConsumerTelemetry}). Names and attributes follow the OpenTelemetry
 * messaging semantic conventions; the keys are in {@link MessagingAttributes}.
 *
 * <p>When the tracer provider, meter provider and propagator are all the API's no-ops (no SDK or
 * agent installed), {@link #create} returns {@link #disabled()}: the bus then adds no tracing or
 * metrics link at all and publishes without any instrumentation call. Span names and attribute sets
 * are cached per event type, so an enabled bus does not build strings or attribute sets per event
 * either.
 */
public final class Telemetry {
  /** The instrumentation scope of every span and metric of the bus. */
  public static final String SCOPE = "io.eventbus";

  static final List<Double> DURATION_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private static final Telemetry DISABLED = new Telemetry();

  private final boolean enabled;
  final TelemetryNames names;
  final Tracer tracer;
  final TextMapPropagator propagator;
  final LongCounter sentMessages;
  final DoubleHistogram operationDuration;
  final LongCounter consumedMessages;
  final DoubleHistogram processDuration;
  final LongCounter retries;
  final LongCounter redeliveries;
  final LongCounter deadLettered;
  final LongCounter deferred;
  final DoubleHistogram limiterWait;
  final Meter meter;
  private final Map<String, Producer> producers = new ConcurrentHashMap<>();

  private Telemetry() {
    this(OpenTelemetry.noop(), new TelemetryNames("eventbus", ""), false);
  }

  private Telemetry(OpenTelemetry openTelemetry, TelemetryNames names, boolean enabled) {
    this.enabled = enabled;
    this.names = names;
    this.tracer = openTelemetry.getTracer(SCOPE);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.meter = openTelemetry.getMeter(SCOPE);
    this.sentMessages =
        meter
            .counterBuilder("messaging.client.sent.messages")
            .setUnit("{message}")
            .setDescription("Messages the producer attempted to send to the broker.")
            .build();
    this.operationDuration =
        meter
            .histogramBuilder("messaging.client.operation.duration")
            .setUnit("s")
            .setDescription("Duration of a send, from the publish call to the broker's confirm.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.consumedMessages =
        meter
            .counterBuilder("messaging.client.consumed.messages")
            .setUnit("{message}")
            .setDescription("Messages delivered to a subscription's pipeline.")
            .build();
    this.processDuration =
        meter
            .histogramBuilder("messaging.process.duration")
            .setUnit("s")
            .setDescription("Duration of processing one delivery, settlement included.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.retries =
        meter
            .counterBuilder("eventbus.consumer.retries")
            .setUnit("{attempt}")
            .setDescription("Handler attempts that failed and were retried in process.")
            .build();
    this.redeliveries =
        meter
            .counterBuilder("eventbus.consumer.redeliveries")
            .setUnit("{message}")
            .setDescription("Deliveries re-published for a delayed redelivery.")
            .build();
    this.deadLettered =
        meter
            .counterBuilder("eventbus.consumer.dead_lettered")
            .setUnit("{message}")
            .setDescription("Deliveries parked in the dead-letter queue.")
            .build();
    this.deferred =
        meter
            .counterBuilder("eventbus.consumer.deferred")
            .setUnit("{message}")
            .setDescription(
                "Deliveries held back because the circuit was open or a dependency unavailable.")
            .build();
    this.limiterWait =
        meter
            .histogramBuilder("eventbus.consumer.limiter.wait")
            .setUnit("s")
            .setDescription("Time a delivery waited for the rate or concurrency limit.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
  }

  /**
   * The telemetry of a bus over a transport named {@code names}; {@link #disabled()} if {@code
   * openTelemetry} has neither a tracer provider, a meter provider nor a propagator.
   */
  public static Telemetry create(OpenTelemetry openTelemetry, TelemetryNames names) {
    if (openTelemetry.getTracerProvider() == TracerProvider.noop()
        && openTelemetry.getMeterProvider() == MeterProvider.noop()
        && openTelemetry.getPropagators().getTextMapPropagator() == TextMapPropagator.noop()) {
      return DISABLED;
    }
    return new Telemetry(openTelemetry, names, true);
  }

  /** No instrumentation at all. */
  public static Telemetry disabled() {
    return DISABLED;
  }

  /** Whether the bus instruments anything. */
  public boolean enabled() {
    return enabled;
  }

  /** The consumer side for one subscription, which handles {@code types}. */
  ConsumerTelemetry consumer(String subscription, Set<String> types) {
    return new ConsumerTelemetry(this, subscription, types);
  }

  /**
   * Starts the PRODUCER span of one send in the current context and injects its context into {@code
   * headers}, the message's creation context. Must only be called when {@link #enabled()}.
   */
  Send startSend(
      String type,
      String id,
      @Nullable String correlationId,
      int bodySize,
      Map<String, String> headers) {
    return startSend(Context.current(), type, id, correlationId, bodySize, headers);
  }

  /** {@link #startSend(String, String, String, int, Map)} with an explicit parent context. */
  Send startSend(
      Context parent,
      String type,
      String id,
      @Nullable String correlationId,
      int bodySize,
      Map<String, String> headers) {
    // Keyed by registered type names only: publish refuses classes the registry does not know.
    Producer producer = producers.computeIfAbsent(type, this::producer);
    var builder =
        tracer
            .spanBuilder(producer.spanName)
            .setSpanKind(SpanKind.PRODUCER)
            .setAllAttributes(producer.spanAttributes)
            .setAttribute(MESSAGE_ID, id)
            .setAttribute(BODY_SIZE, (long) bodySize);
    if (correlationId != null) {
      builder.setAttribute(CONVERSATION_ID, correlationId);
    }
    Span span = builder.setParent(parent).startSpan();
    propagator.inject(parent.with(span), headers, HeaderPropagation.INSTANCE);
    return new Send(producer, span, System.nanoTime());
  }

  /** Writes the trace context current on this thread into {@code headers}. */
  void injectCurrent(Map<String, String> headers) {
    propagator.inject(Context.current(), headers, HeaderPropagation.INSTANCE);
  }

  /** The trace context {@code headers} carry, as the parent of a send; the root if none. */
  Context extract(Map<String, String> headers) {
    return propagator.extract(Context.root(), headers, HeaderPropagation.INSTANCE);
  }

  private Producer producer(String type) {
    String destination = names.exchange().isEmpty() ? type : names.exchange() + ":" + type;
    AttributesBuilder metric =
        Attributes.builder()
            .put(MESSAGING_SYSTEM, names.system())
            .put(DESTINATION_NAME, destination)
            .put(OPERATION_NAME, OPERATION_SEND);
    AttributesBuilder span =
        metric.build().toBuilder().put(OPERATION_TYPE, OPERATION_SEND).put(CLOUDEVENTS_TYPE, type);
    putRoutingKey(span, names, type);
    return new Producer(OPERATION_SEND + " " + destination, span.build(), metric.build());
  }

  /** Puts the routing key (the event type) under the transport's own attribute, if it has one. */
  static void putRoutingKey(AttributesBuilder attributes, TelemetryNames names, String type) {
    if (!names.routingKeyAttribute().isEmpty()) {
      attributes.put(AttributeKey.stringKey(names.routingKeyAttribute()), type);
    }
  }

  /** The low-cardinality class of {@code failure}: its class name, as the conventions ask. */
  static String errorType(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    String name = cause.getClass().getCanonicalName();
    return name != null ? name : cause.getClass().getName();
  }

  static void fail(Span span, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    span.setAttribute(ERROR_TYPE, errorType(cause));
    span.setStatus(StatusCode.ERROR, String.valueOf(cause.getMessage()));
    span.recordException(cause);
  }

  static Attributes withError(Attributes attributes, Throwable failure) {
    return attributes.toBuilder().put(ERROR_TYPE, errorType(failure)).build();
  }

  static Attributes consumerAttributes(TelemetryNames names, String destination, String group) {
    return Attributes.builder()
        .put(MESSAGING_SYSTEM, names.system())
        .put(DESTINATION_NAME, destination)
        .put(CONSUMER_GROUP, group)
        .put(OPERATION_NAME, OPERATION_PROCESS)
        .put(OPERATION_TYPE, OPERATION_PROCESS)
        .build();
  }

  private record Producer(String spanName, Attributes spanAttributes, Attributes metric) {}

  /** One send in progress: ends its span and records its metrics once, when the send completes. */
  final class Send {
    private final Producer producer;
    private final Span span;
    private final long startNanos;

    private Send(Producer producer, Span span, long startNanos) {
      this.producer = producer;
      this.span = span;
      this.startNanos = startNanos;
    }

    void end(@Nullable Throwable failure) {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      Attributes attributes =
          failure == null ? producer.metric : withError(producer.metric, failure);
      sentMessages.add(1, attributes);
      operationDuration.record(seconds, attributes);
      if (failure != null) {
        fail(span, failure);
      }
      span.end();
    }
  }
}
