package io.eventbus.samples.orders.billing;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A payment provider that works, except for one outage: after its {@code outageAfter}-th capture it
 * is down for {@code outage}, and every call fails meanwhile. Thread-safe.
 */
public final class OutagePaymentProvider implements PaymentProvider {
  private final long outageAfter;
  private final Duration outage;
  private final Clock clock;
  private final AtomicLong captured = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile @Nullable Instant downSince;

  /**
   * @param outageAfter how many captures succeed before the outage (at least 1)
   * @param outage how long the provider is down; zero for never
   */
  public OutagePaymentProvider(long outageAfter, Duration outage, Clock clock) {
    if (outageAfter < 1) {
      throw new IllegalArgumentException("outageAfter must be at least 1, was " + outageAfter);
    }
    if (outage.isNegative()) {
      throw new IllegalArgumentException("outage must not be negative, was " + outage);
    }
    this.outageAfter = outageAfter;
    this.outage = outage;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void capture(String orderId, BigDecimal amount) {
    if (down()) {
      refused.incrementAndGet();
      throw new PaymentProviderUnavailableException(
          "payment provider unavailable, capture of " + orderId + " failed");
    }
    synchronized (this) {
      if (captured.incrementAndGet() == outageAfter && !outage.isZero()) {
        downSince = clock.instant();
      }
    }
  }

  /** Whether the provider is down now. */
  public boolean down() {
    Instant since = downSince;
    return since != null && clock.instant().isBefore(since.plus(outage));
  }

  /** When the outage began, or null if it has not yet. */
  public @Nullable Instant downSince() {
    return downSince;
  }

  /** How long the outage lasts. */
  public Duration outage() {
    return outage;
  }

  /** Calls that failed because the provider was down. */
  public long refused() {
    return refused.get();
  }
}
