package io.eventbus.testkit;

import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One publish seen by an {@link EventRecorder}, recorded when its outcome was known.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable.
 */
public final class RecordedPublish {
  private final String eventId;
  private final String eventType;
  private final WireMessage message;
  private final @Nullable Throwable failure;
  private final EventCodec codec;

  RecordedPublish(
      String eventId,
      String eventType,
      WireMessage message,
      @Nullable Throwable failure,
      EventCodec codec) {
    this.eventId = eventId;
    this.eventType = eventType;
    this.message = message;
    this.failure = failure;
    this.codec = codec;
  }

  /** The event id. */
  public String eventId() {
    return eventId;
  }

  /** The type name (also the routing key). */
  public String eventType() {
    return eventType;
  }

  /** The message as it was handed to the transport. */
  public WireMessage message() {
    return message;
  }

  /** Whether the transport confirmed it. */
  public boolean confirmed() {
    return failure == null;
  }

  /** Why the publish failed, or null if it was confirmed. */
  public @Nullable Throwable failure() {
    return failure;
  }

  /**
   * The event decoded from the recorded body with the recorder's codec.
   *
   * @throws IllegalStateException if the body does not decode as {@code type}
   */
  public <E> E as(Class<E> type) {
    return Decoding.decode(codec, message, Objects.requireNonNull(type, "type"), eventId);
  }

  @Override
  public String toString() {
    return "RecordedPublish[id="
        + eventId
        + ", type="
        + eventType
        + (failure == null ? ", confirmed" : ", failed: " + failure.getMessage())
        + "]";
  }
}
