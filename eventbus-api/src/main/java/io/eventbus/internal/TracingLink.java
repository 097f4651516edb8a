package io.eventbus.internal;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.util.Map;

/**
 * Traces a delivery as one CONSUMER {@code process} span around the rest of the pipeline (the
 * {@code TRACING} stage), ended with how the delivery was settled (see {@link ConsumerTelemetry}).
 */
final class TracingLink implements Link {
  private final ConsumerTelemetry telemetry;

  TracingLink(ConsumerTelemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    Map<String, String> headers = delivery.message().headers();
    Span span =
        telemetry.startProcess(
            state.names(telemetry),
            headers,
            CloudEventsAttributes.attribute(headers, "id"),
            delivery.attempt(),
            delivery.redelivered(),
            state.history().redeliveries());
    try (Scope ignored = span.makeCurrent()) {
      next.proceed(delivery);
    } catch (Exception | Error failure) {
      state.escaped(failure);
      throw failure;
    } finally {
      telemetry.endProcess(span, state.outcome(), state.failure());
    }
  }
}
