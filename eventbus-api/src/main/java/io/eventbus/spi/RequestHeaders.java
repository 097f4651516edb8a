package io.eventbus.spi;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The headers of request-reply beyond the CloudEvents attributes, as docs/wire-format.md names
 * them: the request's deadline, and a reply's status and failure. A request carries {@link
 * #DEADLINE}; a reply carries {@code cloudEvents:correlationid} = the request's id and {@link
 * #REPLY_STATUS}; a failure reply also {@link #ERROR_CATEGORY}, {@link #ERROR_TYPE} and {@link
 * #ERROR_MESSAGE}, and never a stack trace.
 */
public final class RequestHeaders {
  /** When the requester stops waiting, RFC 3339 with milliseconds (UTC). */
  public static final String DEADLINE = "eventbus-deadline";

  /** {@value #STATUS_OK} or {@value #STATUS_ERROR}; a reply without it is {@code ok}. */
  public static final String REPLY_STATUS = "eventbus-reply-status";

  /** The reply carries the responder's answer. */
  public static final String STATUS_OK = "ok";

  /** The reply reports a failure: its body is empty. */
  public static final String STATUS_ERROR = "error";

  /**
   * What failed: {@value #CATEGORY_HANDLER_FAILED}, {@value #CATEGORY_DECODING_FAILED}, {@value
   * #CATEGORY_UNKNOWN_TYPE} or {@value #CATEGORY_REPLY_NOT_ENCODABLE}.
   */
  public static final String ERROR_CATEGORY = "eventbus-error-category";

  /** The class name of what the responder threw. */
  public static final String ERROR_TYPE = DeadLetterReason.HEADER_ERROR_TYPE;

  /** The message of what the responder threw, at most 1,000 characters. */
  public static final String ERROR_MESSAGE = DeadLetterReason.HEADER_ERROR_MESSAGE;

  public static final String CATEGORY_HANDLER_FAILED = DeadLetterReason.CATEGORY_HANDLER_FAILED;
  public static final String CATEGORY_DECODING_FAILED = DeadLetterReason.CATEGORY_DECODING_FAILED;
  public static final String CATEGORY_UNKNOWN_TYPE = DeadLetterReason.CATEGORY_UNKNOWN_TYPE;
  public static final String CATEGORY_REPLY_NOT_ENCODABLE = "reply-not-encodable";

  /** The CloudEvents type of a failure reply. */
  public static final String ERROR_REPLY_TYPE = "eventbus.reply.error.v1";

  /** The longest error message a failure reply carries. */
  public static final int MAX_ERROR_MESSAGE_CHARS = 1_000;

  private RequestHeaders() {}

  /**
   * The deadline in {@code headers}; null if absent.
   *
   * @throws java.time.DateTimeException if it is not an RFC 3339 time
   */
  public static @Nullable Instant deadline(Map<String, String> headers) {
    String value = headers.get(DEADLINE);
    return value == null ? null : OffsetDateTime.parse(value).toInstant();
  }

  /** Whether {@code headers} are those of a failure reply. */
  public static boolean isError(Map<String, String> headers) {
    return STATUS_ERROR.equals(headers.get(REPLY_STATUS));
  }
}
