package io.eventbus.testkit;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One delivery to a subscription seen by an {@link EventRecorder}, recorded when the pipeline
 * settled it: acknowledged (handled), requeued, or dead-lettered.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable.
 */
public final class RecordedDelivery {
  /** How the pipeline settled a delivery. */
  public enum Outcome {
    /** Acknowledged: the handler (and its middleware) returned normally. */
    HANDLED,
    /** Returned to the queue for another delivery. */
    REQUEUED,
    /** Scheduled for a delayed redelivery after its in-process retries failed. */
    REDELIVERY_SCHEDULED,
    /**
     * Given back to its queue for later, unhandled, because its subscription paused (its circuit
     * opened, or a dependency was unavailable).
     */
    DEFERRED,
    /** Parked in the subscription's dead-letter queue. */
    DEAD_LETTERED
  }

  private final String subscription;
  private final WireMessage message;
  private final boolean redelivered;
  private final Outcome outcome;
  private final @Nullable DeadLetterReason reason;
  private final EventCodec codec;

  RecordedDelivery(
      String subscription,
      WireMessage message,
      boolean redelivered,
      Outcome outcome,
      @Nullable DeadLetterReason reason,
      EventCodec codec) {
    this.subscription = subscription;
    this.message = message;
    this.redelivered = redelivered;
    this.outcome = outcome;
    this.reason = reason;
    this.codec = codec;
  }

  /** The subscription that received it, as the bus named it. */
  public String subscription() {
    return subscription;
  }

  /** The message as delivered. */
  public WireMessage message() {
    return message;
  }

  /** The event id from the CloudEvents headers, or null for a message without one. */
  public @Nullable String eventId() {
    return CloudEventsAttributes.attribute(message.headers(), "id");
  }

  /** The type name from the CloudEvents headers, or null for a message without one. */
  public @Nullable String eventType() {
    return CloudEventsAttributes.attribute(message.headers(), "type");
  }

  /** Whether the broker had delivered it before. */
  public boolean redelivered() {
    return redelivered;
  }

  /** How it was settled. */
  public Outcome outcome() {
    return outcome;
  }

  /** Why it was parked; null unless {@link #outcome()} is {@link Outcome#DEAD_LETTERED}. */
  public @Nullable DeadLetterReason reason() {
    return reason;
  }

  /**
   * The headers the parked copy carries: the original headers plus the reason's; empty unless
   * dead-lettered. (The original exchange and routing key are added by the transport: see {@link
   * DeadLetter} for what a dead-letter queue holds.)
   */
  public Map<String, String> deadLetterHeaders() {
    if (reason == null) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>(message.headers());
    headers.putAll(reason.toHeaders());
    return headers;
  }

  /**
   * The event decoded from the delivered body with the recorder's codec.
   *
   * @throws IllegalStateException if the body does not decode as {@code type}
   */
  public <E> E as(Class<E> type) {
    return Decoding.decode(codec, message, Objects.requireNonNull(type, "type"), eventId());
  }

  @Override
  public String toString() {
    return "RecordedDelivery[subscription="
        + subscription
        + ", id="
        + eventId()
        + ", type="
        + eventType()
        + ", "
        + outcome
        + (redelivered ? ", redelivered" : "")
        + (reason == null ? "" : ", reason=" + reason.category() + " " + reason.errorType())
        + "]";
  }
}
