package io.eventbus.spi;

import io.eventbus.codec.WireMessage;
import java.util.Objects;

/**
 * A message to publish. Its type name is also its routing key.
 *
 * @param eventId the event id, for exceptions and logs
 * @param eventType the type name
 * @param message the encoded event
 */
public record OutboundMessage(String eventId, String eventType, WireMessage message) {
  /** Checks for nulls. */
  public OutboundMessage {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(message, "message");
  }
}
