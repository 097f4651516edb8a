package io.eventbus.rabbitmq;

import io.eventbus.spi.DeadLetterReason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A message parked in a dead-letter queue, as {@link RabbitDeadLetters} shows it: its identity, the
 * reason headers, and every header as text. The body is not included (see {@link #bodySize()}), so
 * that payloads do not end up in logs by accident.
 *
 * @param eventId the {@code cloudEvents:id}, or null if the message had none
 * @param eventType the {@code cloudEvents:type}, or null if the message had none
 * @param reason {@code decoding-failed}, {@code unknown-type}, {@code handler-failed}, or {@code
 *     broker} for a message the broker parked by itself (delivery limit) without our headers
 * @param errorType the failure's exception class name, or empty
 * @param errorMessage the failure's message (truncated), or empty
 * @param attempts how often processing was attempted (0 if unknown)
 * @param firstFailure when the first attempt failed, if known
 * @param lastFailure when the last attempt failed, if known
 * @param queue the queue a replay sends the message back to: the one it was consumed from
 * @param bodySize the body's length in bytes
 * @param headers every header whose value is text or a number, as text
 */
public record ParkedEvent(
    @Nullable String eventId,
    @Nullable String eventType,
    String reason,
    String errorType,
    String errorMessage,
    int attempts,
    @Nullable Instant firstFailure,
    @Nullable Instant lastFailure,
    String queue,
    int bodySize,
    Map<String, String> headers) {

  /** Checks for nulls and copies the headers. */
  public ParkedEvent {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(errorType, "errorType");
    Objects.requireNonNull(errorMessage, "errorMessage");
    Objects.requireNonNull(queue, "queue");
    headers = Map.copyOf(headers);
  }

  /** Matches events of the type name {@code eventType}. */
  public static Predicate<ParkedEvent> ofType(String eventType) {
    Objects.requireNonNull(eventType, "eventType");
    return parked -> eventType.equals(parked.eventType());
  }

  /** Matches events whose last failure was an exception of exactly {@code errorType}. */
  public static Predicate<ParkedEvent> failedWith(Class<? extends Throwable> errorType) {
    Objects.requireNonNull(errorType, "errorType");
    return parked -> errorType.getName().equals(parked.errorType());
  }

  /** Matches events whose last failure happened in {@code [from, to)}. */
  public static Predicate<ParkedEvent> lastFailedBetween(Instant from, Instant to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return parked ->
        parked.lastFailure() != null
            && !parked.lastFailure().isBefore(from)
            && parked.lastFailure().isBefore(to);
  }

  /** Reads a parked message's headers; {@code fallbackQueue} when it does not say its queue. */
  static ParkedEvent of(Map<String, String> headers, int bodySize, String fallbackQueue) {
    String queue = headers.get(DeadLetterReason.HEADER_QUEUE);
    if (queue == null) {
      queue = headers.getOrDefault("x-first-death-queue", fallbackQueue);
    }
    String reason = headers.get(DeadLetterReason.HEADER_REASON);
    return new ParkedEvent(
        attribute(headers, "id"),
        attribute(headers, "type"),
        reason != null ? reason : "broker",
        headers.getOrDefault(DeadLetterReason.HEADER_ERROR_TYPE, ""),
        headers.getOrDefault(DeadLetterReason.HEADER_ERROR_MESSAGE, ""),
        number(headers.get(DeadLetterReason.HEADER_ATTEMPTS)),
        instant(headers.get(DeadLetterReason.HEADER_FIRST_FAILURE)),
        instant(headers.get(DeadLetterReason.HEADER_LAST_FAILURE)),
        queue,
        bodySize,
        headers);
  }

  private static @Nullable String attribute(Map<String, String> headers, String name) {
    String value = headers.get("cloudEvents:" + name);
    return value != null ? value : headers.get("cloudEvents_" + name);
  }

  private static int number(@Nullable String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static @Nullable Instant instant(@Nullable String value) {
    try {
      return value == null ? null : Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
