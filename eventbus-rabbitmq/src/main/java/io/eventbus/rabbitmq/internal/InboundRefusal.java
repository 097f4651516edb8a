package io.eventbus.rabbitmq.internal;

import io.eventbus.EventDecodingException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.SafeText;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks the deliveries of one subscription that never reach the pipeline: a body over the
 * transport's inbound limit with reason {@code too-large}, and a {@code content_encoding} other
 * than identity with reason {@code decoding-failed} naming the encoding, before anything is
 * decoded.
 *
 * <p>The delivery is acknowledged only once its parked copy is confirmed ({@link
 * RabbitInbound#deadLetter}); if parking fails it is requeued. No delivery can close the connection
 * for its size (see {@link ConnectionSettings}). Stateless; safe on any consumer thread.
 */
final class InboundRefusal {
  private static final Logger log =
      LoggerFactory.getLogger(
          RabbitSubscription.class); // its logs stay under the subscription's name

  private final String subscription;
  private final int maxInboundMessageBytes;

  InboundRefusal(String subscription, int maxInboundMessageBytes) {
    this.subscription = subscription;
    this.maxInboundMessageBytes = maxInboundMessageBytes;
  }

  /** Whether it parked {@code inbound} (or requeued it, parking having failed). */
  boolean refusedOutright(RabbitInbound inbound) {
    if (inbound.bodySize() > maxInboundMessageBytes) {
      refuse(
          inbound,
          DeadLetterReason.CATEGORY_TOO_LARGE,
          "Body of "
              + inbound.bodySize()
              + " bytes is over the inbound limit of "
              + maxInboundMessageBytes
              + " bytes (RabbitTransport.Builder.maxInboundMessageBytes); it was not decoded");
      return true;
    }
    String encoding = inbound.properties().getContentEncoding();
    if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
      refuse(
          inbound,
          DeadLetterReason.CATEGORY_DECODING_FAILED,
          "content_encoding '"
              + SafeText.of(encoding)
              + "' is not supported: eventbus bodies are sent unencoded (identity), see"
              + " docs/wire-format.md");
      return true;
    }
    return false;
  }

  /** Parks {@code inbound} without running the pipeline; requeues it if parking fails. */
  private void refuse(RabbitInbound inbound, String category, String why) {
    Map<String, String> headers = inbound.message().headers();
    String id = CloudEventsAttributes.attribute(headers, "id");
    String type = CloudEventsAttributes.attribute(headers, "type");
    Instant now = Instant.now();
    try {
      inbound.deadLetter(
          DeadLetterReason.of(
              category,
              new EventDecodingException(id, type, why, null),
              subscription,
              1,
              now,
              now));
      log.warn(
          "Event {} ({}) of subscription {} parked in the dead-letter queue ({}): {}",
          SafeText.of(id),
          SafeText.of(type),
          subscription,
          category,
          why);
    } catch (RuntimeException e) {
      log.error(
          "Event {} ({}) of subscription {} could not be parked; returning it to the queue: {}",
          SafeText.of(id),
          SafeText.of(type),
          subscription,
          SafeText.message(e));
      inbound.requeue();
    }
  }
}
