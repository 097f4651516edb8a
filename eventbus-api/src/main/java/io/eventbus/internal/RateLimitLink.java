package io.eventbus.internal;

import io.eventbus.Sleeper;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@code RATE_LIMIT} stage: spaces the deliveries that run the rest of the chain to the
 * subscription's rate ({@link Pacer}). A delivery that comes early waits through the bus's {@link
 * Sleeper}, holding its delivery (so the broker sends no more than the prefetch meanwhile), in
 * slices of at most {@link #SLICE}, so that closing the subscription is noticed; it is then
 * returned to its queue. Time is read from a monotonic ticker.
 */
final class RateLimitLink implements Link, AutoCloseable {
  /** The longest single sleep, so that a closing subscription is noticed soon. */
  static final Duration SLICE = Duration.ofMillis(100);

  private final Pacer pacer;
  private final Sleeper sleeper;
  private final LongSupplier ticker;
  private final @Nullable ConsumerTelemetry telemetry;
  private volatile boolean closed;

  RateLimitLink(
      Duration interval,
      Sleeper sleeper,
      LongSupplier ticker,
      @Nullable ConsumerTelemetry telemetry) {
    this.pacer = new Pacer(Math.max(1, interval.toNanos()));
    this.sleeper = sleeper;
    this.ticker = ticker;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    long arrived = ticker.getAsLong();
    long until = arrived + pacer.reserve(arrived);
    try {
      for (long left = until - arrived; left > 0; left = until - ticker.getAsLong()) {
        if (closed) {
          state.requeue();
          return;
        }
        sleeper.sleep(Duration.ofNanos(Math.min(left, SLICE.toNanos())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.requeue();
      return;
    }
    if (telemetry != null) {
      telemetry.recordLimiterWait(state.names(telemetry), "rate", ticker.getAsLong() - arrived);
    }
    next.proceed(delivery);
  }

  @Override
  public void close() {
    closed = true;
  }
}
