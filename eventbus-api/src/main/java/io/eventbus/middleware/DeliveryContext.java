package io.eventbus.middleware;

import io.eventbus.EventContext;
import io.eventbus.EventMetadata;
import io.eventbus.EventPublisher;
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
  private final @Nullable EventPublisher publisher;

  private DeliveryContext(
      String subscription,
      WireMessage message,
      boolean redelivered,
      int attempt,
      @Nullable EventMetadata metadata,
      @Nullable Object event,
      @Nullable EventPublisher publisher) {
    this.subscription = subscription;
    this.message = message;
    this.redelivered = redelivered;
    this.attempt = attempt;
    this.metadata = metadata;
    this.event = event;
    this.publisher = publisher;
  }

  /**
   * A context for a message that was just received and not yet decoded, without a publisher (for
   * tests of a middleware alone: {@link #publisher()} throws).
   */
  public static DeliveryContext received(
      String subscription, WireMessage message, boolean redelivered, int attempt) {
    return create(subscription, message, redelivered, attempt, null);
  }

  /**
   * A context for a message that was just received and not yet decoded, whose handler publishes
   * follow-up events through {@code publisher}.
   */
  public static DeliveryContext received(
      String subscription,
      WireMessage message,
      boolean redelivered,
      int attempt,
      EventPublisher publisher) {
    return create(
        subscription,
        message,
        redelivered,
        attempt,
        Objects.requireNonNull(publisher, "publisher"));
  }

  private static DeliveryContext create(
      String subscription,
      WireMessage message,
      boolean redelivered,
      int attempt,
      @Nullable EventPublisher publisher) {
    Objects.requireNonNull(subscription, "subscription");
    Objects.requireNonNull(message, "message");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return new DeliveryContext(subscription, message, redelivered, attempt, null, null, publisher);
  }

  /** A copy carrying the decoded event and its metadata. */
  public DeliveryContext withEvent(EventMetadata metadata, Object event) {
    return new DeliveryContext(
        subscription,
        message,
        redelivered,
        attempt,
        Objects.requireNonNull(metadata, "metadata"),
        Objects.requireNonNull(event, "event"),
        publisher);
  }

  /** A copy with another attempt number. */
  public DeliveryContext withAttempt(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    return new DeliveryContext(
        subscription, message, redelivered, attempt, metadata, event, publisher);
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

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if this context was made without a publisher
   */
  @Override
  public EventPublisher publisher() {
    if (publisher == null) {
      throw new IllegalStateException(
          "This DeliveryContext was made without a publisher: only a bus's contexts have one");
    }
    return publisher;
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
