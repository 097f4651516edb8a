package io.eventbus;

import org.jspecify.annotations.Nullable;

/**
 * A received message that cannot be turned into an event: missing or invalid CloudEvents
 * attributes, an unsupported content type, a body that is not valid JSON for its class, or a body
 * over the configured limits. Such a message is never retried; it goes to the dead-letter queue
 * with this exception's message as the reason.
 */
public final class EventDecodingException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String eventId;
  private final @Nullable String eventType;

  public EventDecodingException(
      @Nullable String eventId,
      @Nullable String eventType,
      String message,
      @Nullable Throwable cause) {
    super(message, cause);
    this.eventId = eventId;
    this.eventType = eventType;
  }

  /** The event id, when the message carried one. */
  public @Nullable String eventId() {
    return eventId;
  }

  /** The type name, when the message carried one. */
  public @Nullable String eventType() {
    return eventType;
  }
}
