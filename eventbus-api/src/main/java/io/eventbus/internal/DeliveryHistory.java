package io.eventbus.internal;

import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What earlier deliveries of a message left behind, read back from its headers and the broker's
 * delivery count: the one place that parses and validates them.
 *
 * <p>These headers travel through the broker and any client may set them, so every value is checked
 * here and nowhere else, against the range our own writers can produce: a count must be a whole
 * number from 0 to its maximum ({@value #MAX_ATTEMPTS} attempts, {@value #MAX_REDELIVERIES}
 * redeliveries, {@value #MAX_DELIVERY_COUNT} broker deliveries), a failure time an RFC 3339 instant
 * between {@link #EARLIEST_FAILURE} and a day after now. A value outside that (malformed, negative,
 * too large, in the far past or future) is treated as absent and counted in {@link #invalid()}; it
 * never throws, and the sums below can never overflow.
 *
 * @param attempts the attempts made by earlier deliveries ({@value
 *     DeadLetterReason#HEADER_ATTEMPTS})
 * @param redeliveries the delayed redeliveries so far ({@value
 *     DeadLetterReason#HEADER_REDELIVERIES})
 * @param firstFailure when the first attempt failed ({@value
 *     DeadLetterReason#HEADER_FIRST_FAILURE}), or null if none did yet
 * @param deliveryCount the broker's count of earlier unacknowledged deliveries ({@link
 *     InboundMessage#deliveryCount()})
 * @param invalid how many of these values were present but invalid, and so read as absent
 */
record DeliveryHistory(
    int attempts,
    int redeliveries,
    @Nullable Instant firstFailure,
    int deliveryCount,
    int invalid) {
  /** The most attempts our header may claim: far beyond any retry policy's. */
  static final int MAX_ATTEMPTS = 1_000_000;

  /** The most delayed redeliveries our header may claim: far beyond any subscription's delays. */
  static final int MAX_REDELIVERIES = 1_000;

  /** The largest broker delivery count taken into account. */
  static final int MAX_DELIVERY_COUNT = 1_000_000;

  /** The earliest first-failure time accepted: older ones were not written by us. */
  static final Instant EARLIEST_FAILURE = Instant.parse("2000-01-01T00:00:00Z");

  /** How far in the future a first-failure time may lie (clocks of two hosts disagree). */
  static final Duration CLOCK_SKEW = Duration.ofDays(1);

  /** A history without anything invalid. */
  DeliveryHistory(
      int attempts, int redeliveries, @Nullable Instant firstFailure, int deliveryCount) {
    this(attempts, redeliveries, firstFailure, deliveryCount, 0);
  }

  /** The history of {@code inbound}; {@code clock} judges a first-failure time in the future. */
  static DeliveryHistory read(InboundMessage inbound, Clock clock) {
    return read(inbound.message().headers(), inbound.deliveryCount(), clock);
  }

  /** The history in {@code headers}, with the broker's {@code deliveryCount}. */
  static DeliveryHistory read(Map<String, String> headers, int deliveryCount, Clock clock) {
    String attemptsText = headers.get(DeadLetterReason.HEADER_ATTEMPTS);
    String redeliveriesText = headers.get(DeadLetterReason.HEADER_REDELIVERIES);
    String firstFailureText = headers.get(DeadLetterReason.HEADER_FIRST_FAILURE);
    if (attemptsText == null
        && redeliveriesText == null
        && firstFailureText == null
        && deliveryCount == 0) {
      return NONE; // the usual first delivery: nothing to parse
    }
    int attempts = count(attemptsText, MAX_ATTEMPTS);
    int redeliveries = count(redeliveriesText, MAX_REDELIVERIES);
    Instant firstFailure = instant(firstFailureText, clock);
    boolean countValid = deliveryCount >= 0 && deliveryCount <= MAX_DELIVERY_COUNT;
    int invalid =
        (attempts < 0 ? 1 : 0)
            + (redeliveries < 0 ? 1 : 0)
            + (firstFailureText != null && firstFailure == null ? 1 : 0)
            + (countValid ? 0 : 1);
    return new DeliveryHistory(
        Math.max(0, attempts),
        Math.max(0, redeliveries),
        firstFailure,
        countValid ? deliveryCount : 0,
        invalid);
  }

  private static final DeliveryHistory NONE = new DeliveryHistory(0, 0, null, 0, 0);

  /**
   * The attempts before this delivery: those our headers count plus the broker's unacknowledged
   * deliveries (a consumer that crashed mid-attempt wrote no header).
   */
  int attemptsBefore() {
    return attempts + deliveryCount;
  }

  /** 0 for an absent value, the value if it is a whole number from 0 to {@code max}, else -1. */
  private static int count(@Nullable String value, int max) {
    if (value == null) {
      return 0;
    }
    String text = value.trim();
    if (text.isEmpty() || text.length() > 10) {
      return -1;
    }
    try {
      int count = Integer.parseInt(text);
      return count >= 0 && count <= max ? count : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static @Nullable Instant instant(@Nullable String value, Clock clock) {
    if (value == null || value.length() > 64) {
      return null;
    }
    try {
      Instant instant = Instant.parse(value.trim());
      if (instant.isBefore(EARLIEST_FAILURE) || instant.isAfter(clock.instant().plus(CLOCK_SKEW))) {
        return null;
      }
      return instant;
    } catch (DateTimeException e) {
      return null;
    }
  }
}
