package io.eventbus;

/**
 * The broker returned the event because no queue is bound for its type: nobody subscribes to it
 * yet. Nothing was stored. Subscribe first (subscriptions declare their queues and bindings), or
 * publish again once a subscriber exists.
 */
public final class UnroutableEventException extends PublishException {
  private static final long serialVersionUID = 1L;

  private UnroutableEventException(String eventId, String eventType, String message) {
    super(eventId, eventType, message, null);
  }

  /** The event was returned for {@code destination} with the broker's reply text. */
  public static UnroutableEventException returned(
      String eventId, String eventType, String destination, String replyText) {
    return new UnroutableEventException(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") was not routed to any queue by "
            + destination
            + " ("
            + replyText
            + ")");
  }
}
