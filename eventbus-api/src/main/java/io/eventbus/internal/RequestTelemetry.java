package io.eventbus.internal;

import static io.eventbus.internal.MessagingAttributes.CLOUDEVENTS_TYPE;
import static io.eventbus.internal.MessagingAttributes.CONSUMER_GROUP;
import static io.eventbus.internal.MessagingAttributes.DESTINATION_NAME;
import static io.eventbus.internal.MessagingAttributes.ERROR_TYPE;
import static io.eventbus.internal.MessagingAttributes.MESSAGE_ID;
import static io.eventbus.internal.MessagingAttributes.MESSAGING_SYSTEM;
import static io.eventbus.internal.MessagingAttributes.OPERATION_NAME;
import static io.eventbus.internal.MessagingAttributes.OPERATION_TYPE;

import io.eventbus.RequestException;
import io.eventbus.spi.TelemetryNames;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The instrumentation of request-reply: the requester's CLIENT span and metrics, the responder's
 * count of expired requests, and the propagation of trace context into replies. Disabled (no call
 * at all) when the bus's {@link Telemetry} is.
 *
 * <p>Metrics: {@code eventbus.request.duration} (histogram, s: call to outcome, retries and
 * fallback included; {@code eventbus.request.outcome} = {@code ok}, {@code fallback} or {@code
 * failed}, {@code error.type} = the reason), {@code eventbus.request.retries}, {@code
 * eventbus.request.rejected} (by the circuit breaker or the concurrency limit; {@code
 * eventbus.request.reason}), {@code eventbus.request.in_flight} and {@code
 * eventbus.request.circuit.state} (asynchronous, per type), and {@code eventbus.responder.expired}.
 */
final class RequestTelemetry {
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("eventbus.request.outcome");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("eventbus.request.reason");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("eventbus.request.attempts");
  static final AttributeKey<String> CIRCUIT_STATE =
      AttributeKey.stringKey("eventbus.request.circuit.state");
  static final String OPERATION_REQUEST = "request";

  private static final RequestTelemetry DISABLED = new RequestTelemetry();

  /** What the asynchronous gauges read, per request type. */
  interface Gauges {
    Collection<RequestType> types();
  }

  private final boolean enabled;
  private final @Nullable TelemetryNames names;
  private final @Nullable Tracer tracer;
  private final TextMapPropagator propagator;
  private final @Nullable DoubleHistogram duration;
  private final @Nullable LongCounter retries;
  private final @Nullable LongCounter rejected;
  private final @Nullable LongCounter expired;
  private final @Nullable Meter meter;

  private RequestTelemetry() {
    this.enabled = false;
    this.names = null;
    this.tracer = null;
    this.propagator = TextMapPropagator.noop();
    this.duration = null;
    this.retries = null;
    this.rejected = null;
    this.expired = null;
    this.meter = null;
  }

  private RequestTelemetry(OpenTelemetry openTelemetry, TelemetryNames names) {
    this.enabled = true;
    this.names = names;
    this.tracer = openTelemetry.getTracer(Telemetry.SCOPE);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    Meter meter = openTelemetry.getMeter(Telemetry.SCOPE);
    this.meter = meter;
    this.duration =
        meter
            .histogramBuilder("eventbus.request.duration")
            .setUnit("s")
            .setDescription(
                "Duration of a request, from the call to its reply, fallback or failure.")
            .setExplicitBucketBoundariesAdvice(Telemetry.DURATION_BUCKETS)
            .build();
    this.retries =
        meter
            .counterBuilder("eventbus.request.retries")
            .setUnit("{attempt}")
            .setDescription("Request attempts that failed and were sent again.")
            .build();
    this.rejected =
        meter
            .counterBuilder("eventbus.request.rejected")
            .setUnit("{request}")
            .setDescription("Requests refused before sending: open circuit or concurrency limit.")
            .build();
    this.expired =
        meter
            .counterBuilder("eventbus.responder.expired")
            .setUnit("{request}")
            .setDescription("Requests a responder dropped because their deadline had passed.")
            .build();
  }

  /** Instrumentation through {@code openTelemetry}, or none when {@code telemetry} is disabled. */
  static RequestTelemetry create(
      Telemetry telemetry, OpenTelemetry openTelemetry, TelemetryNames names) {
    return telemetry.enabled() ? new RequestTelemetry(openTelemetry, names) : DISABLED;
  }

  static RequestTelemetry disabled() {
    return DISABLED;
  }

  boolean enabled() {
    return enabled;
  }

  /** Registers the per-type gauges; returns what to close, or null when disabled. */
  @Nullable AutoCloseable gauges(Gauges gauges) {
    if (meter == null) {
      return null;
    }
    ObservableLongGauge inFlight =
        meter
            .gaugeBuilder("eventbus.request.in_flight")
            .ofLongs()
            .setUnit("{request}")
            .setDescription("Requests of a type outstanding now.")
            .buildWithCallback(
                measurement -> {
                  for (RequestType type : gauges.types()) {
                    measurement.record(type.inFlight(), Attributes.of(CLOUDEVENTS_TYPE, type.name));
                  }
                });
    ObservableLongGauge circuit =
        meter
            .gaugeBuilder("eventbus.request.circuit.state")
            .ofLongs()
            .setUnit("1")
            .setDescription("1 for the current state of a request type's circuit breaker.")
            .buildWithCallback(
                measurement -> {
                  for (RequestType type : gauges.types()) {
                    String state = type.circuitState();
                    if (state != null) {
                      measurement.record(
                          1, Attributes.of(CLOUDEVENTS_TYPE, type.name, CIRCUIT_STATE, state));
                    }
                  }
                });
    return () -> {
      inFlight.close();
      circuit.close();
    };
  }

  /**
   * Starts the CLIENT span of one request in the current context and injects its context into
   * {@code headers}; null when disabled.
   */
  @Nullable Span startRequest(String type, String id, Map<String, String> headers) {
    if (tracer == null || names == null) {
      return null;
    }
    String destination = destination(type);
    Span span =
        tracer
            .spanBuilder(OPERATION_REQUEST + " " + destination)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(MESSAGING_SYSTEM, names.system())
            .setAttribute(DESTINATION_NAME, destination)
            .setAttribute(OPERATION_NAME, OPERATION_REQUEST)
            .setAttribute(OPERATION_TYPE, MessagingAttributes.OPERATION_SEND)
            .setAttribute(CLOUDEVENTS_TYPE, type)
            .setAttribute(MESSAGE_ID, id)
            .startSpan();
    propagator.inject(Context.current().with(span), headers, HeaderPropagation.INSTANCE);
    return span;
  }

  private String destination(String type) {
    String exchange = names == null ? "" : names.exchange();
    return exchange.isEmpty() ? type : exchange + ":" + type;
  }

  /** Ends a request: its span (if any), its duration, and whether it fell back or failed. */
  void endRequest(
      @Nullable Span span,
      String type,
      long startNanos,
      int attempts,
      @Nullable RequestException failure,
      boolean fellBack) {
    String outcome = failure == null ? "ok" : fellBack ? "fallback" : "failed";
    if (span != null) {
      span.setAttribute(ATTEMPTS, (long) attempts);
      span.setAttribute(OUTCOME, outcome);
      if (failure != null) {
        span.setAttribute(ERROR_TYPE, reason(failure));
        span.setAttribute(REASON, reason(failure));
        if (!fellBack) {
          span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
      }
      span.end();
    }
    if (duration != null) {
      var attributes = Attributes.builder().put(CLOUDEVENTS_TYPE, type).put(OUTCOME, outcome);
      if (failure != null) {
        attributes.put(ERROR_TYPE, reason(failure));
      }
      duration.record((System.nanoTime() - startNanos) / 1e9, attributes.build());
    }
  }

  void retried(String type) {
    if (retries != null) {
      retries.add(1, Attributes.of(CLOUDEVENTS_TYPE, type));
    }
  }

  void rejected(String type, RequestException.Reason reason) {
    if (rejected != null) {
      rejected.add(1, Attributes.of(CLOUDEVENTS_TYPE, type, REASON, reason(reason)));
    }
  }

  /** Counts a request a responder dropped unanswered, past its deadline. */
  void expired(String subscription, @Nullable String type) {
    if (expired != null) {
      expired.add(
          1,
          Attributes.of(CONSUMER_GROUP, subscription, CLOUDEVENTS_TYPE, type == null ? "" : type));
    }
  }

  /** Puts the current trace context into a reply's headers. */
  void injectInto(Map<String, String> headers) {
    if (enabled) {
      propagator.inject(Context.current(), headers, HeaderPropagation.INSTANCE);
    }
  }

  static String reason(RequestException failure) {
    return reason(failure.reason());
  }

  static String reason(RequestException.Reason reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT);
  }
}
