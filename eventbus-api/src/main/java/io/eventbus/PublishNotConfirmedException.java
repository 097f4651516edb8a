package io.eventbus;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The broker refused the event (a negative confirm), its confirm did not arrive before the publish
 * deadline, or the connection or bus closed while it was outstanding.
 */
public final class PublishNotConfirmedException extends PublishException {
  private static final long serialVersionUID = 1L;

  private PublishNotConfirmedException(
      String eventId, String eventType, String message, @Nullable Throwable cause) {
    super(eventId, eventType, message, cause);
  }

  /** The broker answered with a negative acknowledgement. */
  public static PublishNotConfirmedException nacked(String eventId, String eventType) {
    return new PublishNotConfirmedException(
        eventId,
        eventType,
        "Event " + eventId + " (" + eventType + ") was rejected by the broker (nack)",
        null);
  }

  /** No confirm arrived within {@code deadline}. */
  public static PublishNotConfirmedException timedOut(
      String eventId, String eventType, Duration deadline) {
    return new PublishNotConfirmedException(
        eventId,
        eventType,
        "Event " + eventId + " (" + eventType + ") was not confirmed within " + deadline,
        null);
  }

  /** The event could not be handed to the broker, or its channel closed before the confirm. */
  public static PublishNotConfirmedException failed(
      String eventId, String eventType, String why, @Nullable Throwable cause) {
    return new PublishNotConfirmedException(
        eventId,
        eventType,
        "Event " + eventId + " (" + eventType + ") was not confirmed: " + why,
        cause);
  }
}
