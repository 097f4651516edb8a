package io.eventbus;

import org.jspecify.annotations.Nullable;

/**
 * A publish that did not complete: the broker did not take responsibility for the event. The event
 * may or may not have reached a queue (for example when a connection dropped after the broker
 * received it but before its confirm arrived), so re-publishing with the same {@link #eventId()} is
 * safe for handlers that deduplicate by id.
 */
public class PublishException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final String eventId;
  private final String eventType;

  public PublishException(
      String eventId, String eventType, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.eventId = eventId;
    this.eventType = eventType;
  }

  /** The id of the event that was not published. */
  public String eventId() {
    return eventId;
  }

  /** The type name of the event that was not published. */
  public String eventType() {
    return eventType;
  }
}
