package io.eventbus.spi;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message parked in a subscription's dead-letter queue: the original body and headers plus the
 * reason headers of docs/wire-format.md ({@link DeadLetterReason#toHeaders()}, {@link
 * DeadLetterReason#HEADER_ORIGINAL_EXCHANGE} and {@link
 * DeadLetterReason#HEADER_ORIGINAL_ROUTING_KEY}), as a transport reads it back ({@link
 * TransportAdmin#deadLetters}) and as any consumer of the dead-letter queue would see it.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable (the body array is shared, as in {@link WireMessage}: do not modify it).
 *
 * @param subscription the subscription (queue) that parked it
 * @param message the parked message with the reason headers
 */
public record DeadLetter(String subscription, WireMessage message) {
  /** Checks for nulls. */
  public DeadLetter {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(message, "message");
  }

  /** The value of header {@code name}, or null if the message has none. */
  public @Nullable String header(String name) {
    return message.headers().get(name);
  }

  /** The event id from the CloudEvents headers (either prefix), or null for a message without. */
  public @Nullable String eventId() {
    return CloudEventsAttributes.attribute(message.headers(), "id");
  }

  /** The reason category, such as {@code handler-failed} or {@code decoding-failed}. */
  public @Nullable String reason() {
    return header(DeadLetterReason.HEADER_REASON);
  }

  /** The class name of the exception that made the subscription give up. */
  public @Nullable String errorType() {
    return header(DeadLetterReason.HEADER_ERROR_TYPE);
  }

  /** The (truncated) message of that exception. */
  public @Nullable String errorMessage() {
    return header(DeadLetterReason.HEADER_ERROR_MESSAGE);
  }

  @Override
  public String toString() {
    return "DeadLetter[subscription="
        + subscription
        + ", id="
        + eventId()
        + ", type="
        + CloudEventsAttributes.attribute(message.headers(), "type")
        + ", reason="
        + reason()
        + ", error="
        + errorType()
        + "]";
  }
}
