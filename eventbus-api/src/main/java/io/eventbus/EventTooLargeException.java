package io.eventbus;

/**
 * The event is larger than may be published, so nothing was sent: its body is over the transport's
 * configured maximum (for RabbitMQ, {@code PublisherSettings.maxMessageBytes}), or its headers do
 * not fit in one frame of the broker connection. Publishing it again will fail again; make it
 * smaller (or raise the limit, keeping it well below the broker's own).
 */
public final class EventTooLargeException extends PublishException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  private EventTooLargeException(
      String eventId, String eventType, String message, long size, long limit) {
    super(eventId, eventType, message, null);
    this.size = size;
    this.limit = limit;
  }

  /** A body of {@code size} bytes over the limit of {@code limit} bytes named {@code setting}. */
  public static EventTooLargeException body(
      String eventId, String eventType, long size, long limit, String setting) {
    return new EventTooLargeException(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") was not sent: its body of "
            + size
            + " bytes is over "
            + setting
            + " of "
            + limit
            + " bytes",
        size,
        limit);
  }

  /** Headers whose frame takes {@code size} bytes, over the connection's {@code frameMax}. */
  public static EventTooLargeException headers(
      String eventId, String eventType, long size, long frameMax) {
    return new EventTooLargeException(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") was not sent: its headers and properties take "
            + size
            + " bytes, over the broker connection's frame size of "
            + frameMax
            + " bytes (AMQP requires them to fit in one frame)",
        size,
        frameMax);
  }

  /** The size that was too large, in bytes. */
  public long size() {
    return size;
  }

  /** The limit it exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
