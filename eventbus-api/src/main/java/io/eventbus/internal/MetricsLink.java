package io.eventbus.internal;

import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;

/**
 * Measures a delivery (the {@code METRICS} stage): counts it, its processing duration, its
 * in-process retries and how it was settled.
 */
final class MetricsLink implements Link {
  private final ConsumerTelemetry telemetry;

  MetricsLink(ConsumerTelemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    long start = System.nanoTime();
    try {
      next.proceed(delivery);
    } finally {
      telemetry.recordProcessed(
          state.names(telemetry), start, state.outcome(), state.failure(), state.attemptsRun() - 1);
    }
  }
}
