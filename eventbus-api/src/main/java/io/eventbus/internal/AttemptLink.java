package io.eventbus.internal;

import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * Records every in-process attempt in the delivery's state, its number and the time it failed, and
 * traces it as a {@code handle} span when tracing is on. Runs once per attempt, just inside the
 * retry link.
 */
final class AttemptLink implements Link {
  private final Clock clock;
  private final @Nullable ConsumerTelemetry telemetry;

  AttemptLink(Clock clock, @Nullable ConsumerTelemetry telemetry) {
    this.clock = clock;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    state.attemptStarted();
    Span span =
        telemetry == null
            ? null
            : telemetry.startAttempt(state.names(telemetry), delivery.attempt());
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
}
