package io.eventbus.codec;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event as it travels: CloudEvents 1.0 in binary content mode. The body is the event's data; the
 * headers hold the context attributes under {@code cloudEvents:} names (see {@link
 * CloudEventsAttributes}) plus any other headers, such as W3C {@code traceparent}. Transports map
 * this onto their own message format (see docs/wire-format.md for AMQP 0-9-1).
 *
 * <p>Immutable by convention: the body array is not copied, so neither side may modify it.
 *
 * @param body the encoded event data
 * @param contentType the body's media type, such as {@code application/json}, or null if the
 *     message did not say
 * @param headers string-valued headers (copied)
 */
public record WireMessage(byte[] body, @Nullable String contentType, Map<String, String> headers) {
  /** Checks for nulls and copies the headers. */
  public WireMessage {
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }

  @Override
  public String toString() {
    return "WireMessage["
        + body.length
        + " bytes, "
        + contentType
        + ", headers="
        + headers.keySet()
        + "]";
  }
}
