package io.eventbus;

/**
 * The broker refused the event permanently: it closed the publishing channel with an error when
 * this event, sent alone, reached it again (for example {@code 406 PRECONDITION_FAILED} for a
 * message over the broker's maximum size, {@code 403 ACCESS_REFUSED} without write permission, or
 * {@code 404 NOT_FOUND} for a missing exchange the transport could not declare again). Other events
 * are not affected. Nothing was stored.
 */
public final class PublishRefusedException extends PublishException {
  private static final long serialVersionUID = 1L;

  private final int replyCode;
  private final String replyText;

  private PublishRefusedException(
      String eventId, String eventType, String message, int replyCode, String replyText) {
    super(eventId, eventType, message, null);
    this.replyCode = replyCode;
    this.replyText = replyText;
  }

  /** The broker answered {@code replyCode} {@code replyText} after {@code sends} sends. */
  public static PublishRefusedException refused(
      String eventId, String eventType, int replyCode, String replyText, int sends) {
    return new PublishRefusedException(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") was refused by the broker: "
            + replyCode
            + " "
            + replyText
            + " (sent "
            + sends
            + " times, the last time alone)",
        replyCode,
        replyText);
  }

  /** The broker's reply code, such as 406. */
  public int replyCode() {
    return replyCode;
  }

  /** The broker's reply text, such as {@code PRECONDITION_FAILED - message size … is larger …}. */
  public String replyText() {
    return replyText;
  }
}
