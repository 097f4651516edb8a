package io.eventbus;

/**
 * The publish buffer is full: the transport cannot currently hand events to the broker (it is
 * reconnecting, blocked by a resource alarm, or the broker confirms more slowly than events are
 * published) and already holds as many events, or bytes, as it may. Nothing was sent. Slow down, or
 * retry later with the same id.
 */
public final class PublishBufferFullException extends PublishException {
  private static final long serialVersionUID = 1L;

  private PublishBufferFullException(String eventId, String eventType, String message) {
    super(eventId, eventType, message, null);
  }

  /** The buffer holds {@code messages} events of {@code bytes} bytes, at or over its limits. */
  public static PublishBufferFullException of(
      String eventId, String eventType, int messages, long bytes, String limits) {
    return new PublishBufferFullException(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") was not accepted: the publish buffer is full ("
            + messages
            + " events, "
            + bytes
            + " bytes; limits "
            + limits
            + ")");
  }
}
