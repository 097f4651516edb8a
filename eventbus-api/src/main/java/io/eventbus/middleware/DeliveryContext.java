package io.eventbus.middleware;

import io.eventbus.EventContext;
import io.eventbus.EventMetadata;
import io.eventbus.codec.WireMessage;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One delivery as it moves through the {@link Middleware} chain: the raw message, its decoded event
 * and metadata, and the attempt number. Immutable: a link passes a modified copy to {@code
 * proceed}.
 *
 * <p>{@link #event()} and {@link #metadata()} are only available after the decode link, that is to
 * every user middleware and the handler; before it they throw {@link IllegalStateException}.
 */
public final class DeliveryContext implements EventContext {
  private final String subscription;
  private final WireMessage message;
  private final boolean redelivered;
  private final int attempt;
  private final @Nullable EventMetadata metadata;
  private final @Nullable Object event;

  private DeliveryContext(
      String subscription,
      WireMessage message,
      boolean redelivered,
      int attempt,
      @Nullable EventMetadata metadata,
      @Nullable Object event) {
    this.subscription = subscription;
    this.message = message;
    this.redelivered = redelivered;
    this.attempt = attempt;
    this.metadata = metadata;
    this.event = event;
  }

  /** A context for a message that was just received and not yet decoded. */
  public static DeliveryContext received(
      String subscription, WireMessage message, boolean redelivered, int attempt) {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(message, "message");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return new DeliveryContext(subscription, message, redelivered, attempt, null, null);
  }

  /** A copy carrying the decoded event and its metadata. */
  public DeliveryContext withEvent(EventMetadata metadata, Object event) {
    return new DeliveryContext(
        subscription,
        message,
        redelivered,
        attempt,
        Objects.requireNonNull(metadata, "metadata"),
        Objects.requireNonNull(event, "event"));
  }

  /** A copy with another attempt number. */
  public DeliveryContext withAttempt(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return new DeliveryContext(subscription, message, redelivered, attempt, metadata, event);
  }

  @Override
  public String subscription() {
    return subscription;
  }

  /** The message as received: body, content type and headers. */
  public WireMessage message() {
    return message;
  }

  @Override
  public boolean redelivered() {
    return redelivered;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  /** Whether the decode link has run. */
  public boolean isDecoded() {
    return event != null;
  }

  /**
   * The decoded event's metadata.
   *
   * @throws IllegalStateException before the decode link
   */
  @Override
  public EventMetadata metadata() {
    if (metadata == null) {
      throw new IllegalStateException("metadata() is only available after the decode link");
    }
    return metadata;
  }

  /**
   * The decoded event, an instance of its registered class.
   *
   * @throws IllegalStateException before the decode link
   */
  public Object event() {
    if (event == null) {
      throw new IllegalStateException("event() is only available after the decode link");
    }
    return event;
  }

  @Override
  public String toString() {
    return "DeliveryContext[subscription="
        + subscription
        + ", attempt="
        + attempt
        + (metadata == null ? "" : ", id=" + metadata.id() + ", type=" + metadata.type())
        + "]";
  }
}
