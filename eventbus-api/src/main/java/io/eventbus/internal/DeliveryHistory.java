package io.eventbus.internal;

import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What earlier deliveries of a message left behind, read back from its headers and the broker's
 * delivery count: the one place that parses and validates them.
 *
 * <p>These headers travel through the broker and any client may set them, so every value is checked
 * here and nowhere else: a missing or malformed value reads as "none", negatives as 0, and the
 * attempts before this delivery are capped at {@link #MAX_ATTEMPTS_BEFORE} so that attempt numbers
 * never overflow. Stricter limits on forged values belong here too.
 *
 * @param attempts the attempts made by earlier deliveries ({@value
 *     DeadLetterReason#HEADER_ATTEMPTS})
 * @param redeliveries the delayed redeliveries so far ({@value
 *     DeadLetterReason#HEADER_REDELIVERIES})
 * @param firstFailure when the first attempt failed ({@value
 *     DeadLetterReason#HEADER_FIRST_FAILURE}), or null if none did yet
 * @param deliveryCount the broker's count of earlier unacknowledged deliveries ({@link
 *     InboundMessage#deliveryCount()})
 */
record DeliveryHistory(
    int attempts, int redeliveries, @Nullable Instant firstFailure, int deliveryCount) {
  /** The largest number of attempts before a delivery that the attempt number starts from. */
  static final int MAX_ATTEMPTS_BEFORE = 1_000_000_000;

  /** The history of {@code inbound}. */
  static DeliveryHistory read(InboundMessage inbound) {
    return read(inbound.message().headers(), inbound.deliveryCount());
  }

  /** The history in {@code headers}, with the broker's {@code deliveryCount}. */
  static DeliveryHistory read(Map<String, String> headers, int deliveryCount) {
    return new DeliveryHistory(
        count(headers.get(DeadLetterReason.HEADER_ATTEMPTS)),
        count(headers.get(DeadLetterReason.HEADER_REDELIVERIES)),
        instant(headers.get(DeadLetterReason.HEADER_FIRST_FAILURE)),
        Math.max(0, deliveryCount));
  }

  /**
   * The attempts before this delivery: those our headers count plus the broker's unacknowledged
   * deliveries (a consumer that crashed mid-attempt wrote no header), at most {@link
   * #MAX_ATTEMPTS_BEFORE}.
   */
  int attemptsBefore() {
    return (int) Math.min((long) attempts + deliveryCount, MAX_ATTEMPTS_BEFORE);
  }

  private static int count(@Nullable String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static @Nullable Instant instant(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
