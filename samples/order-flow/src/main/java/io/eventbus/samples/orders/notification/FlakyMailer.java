package io.eventbus.samples.orders.notification;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * A mail server as unreliable as real ones: some sends time out at random, and every so often it is
 * down for a moment. In-process retries absorb the random failures; outages outlast them and are
 * bridged by delayed redelivery. Thread-safe.
 */
public final class FlakyMailer implements Mailer {
  private final double failureRate;
  private final long outageEveryMillis;
  private final long outageMillis;
  private final Clock clock;
  private final Instant start;
  private final DoubleSupplier random;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /**
   * @param failureRate the share of sends that fail at random, 0 to 1
   * @param outageEvery how often the server goes down (the outage ends each period)
   * @param outage how long it stays down, shorter than {@code outageEvery}; zero for never
   */
  public FlakyMailer(
      double failureRate,
      Duration outageEvery,
      Duration outage,
      Clock clock,
      DoubleSupplier random) {
    if (!(failureRate >= 0 && failureRate <= 1)) {
      throw new IllegalArgumentException("failureRate must be 0 to 1, was " + failureRate);
    }
    if (outage.isNegative() || outage.compareTo(outageEvery) >= 0) {
      throw new IllegalArgumentException("outage must be shorter than outageEvery");
    }
    this.failureRate = failureRate;
    this.outageEveryMillis = outageEvery.toMillis();
    this.outageMillis = outage.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.start = clock.instant();
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The demo's mail server: 10 % of sends fail, and it is down for the last second of every 8. */
  public static FlakyMailer demo(Clock clock) {
    return new FlakyMailer(
        0.10,
        Duration.ofSeconds(8),
        Duration.ofSeconds(1),
        clock,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  @Override
  public void send(String orderId, String text) {
    long phase = Duration.between(start, clock.instant()).toMillis() % outageEveryMillis;
    if (phase >= outageEveryMillis - outageMillis) {
      failed.incrementAndGet();
      throw new MailServerUnavailableException("mail server down, message for " + orderId);
    }
    if (random.getAsDouble() < failureRate) {
      failed.incrementAndGet();
      throw new MailServerUnavailableException("mail server timed out, message for " + orderId);
    }
    sent.incrementAndGet();
  }

  /** Sends that went through. */
  public long sent() {
    return sent.get();
  }

  /** Sends that failed. */
  public long failed() {
    return failed.get();
  }
}
