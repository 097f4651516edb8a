package io.eventbus.spi;

import io.eventbus.EventDecodingException;
import io.eventbus.UnknownEventTypeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Why a message was parked, as the headers a dead-lettered message gains (see docs/wire-format.md).
 * Texts are truncated so that all reason headers together stay within a few KiB: AMQP content
 * headers must fit in one frame.
 *
 * @param category what kind of failure; one of the {@code CATEGORY_*} values
 * @param errorType the exception's class name
 * @param errorMessage the exception's message, truncated
 * @param stackTrace the exception's stack trace, truncated
 * @param attempts how many times processing was attempted
 * @param firstFailure when the first attempt failed
 * @param lastFailure when the last attempt failed
 * @param subscription the subscription that gave up
 */
public record DeadLetterReason(
    String category,
    String errorType,
    String errorMessage,
    String stackTrace,
    int attempts,
    Instant firstFailure,
    Instant lastFailure,
    String subscription) {

  public static final String CATEGORY_DECODING_FAILED = "decoding-failed";
  public static final String CATEGORY_UNKNOWN_TYPE = "unknown-type";
  public static final String CATEGORY_HANDLER_FAILED = "handler-failed";

  /**
   * The message is larger than the consumer accepts (the transport's inbound limit or the codec's
   * body limit); its body was not decoded.
   */
  public static final String CATEGORY_TOO_LARGE = "too-large";

  public static final String HEADER_REASON = "eventbus-dead-letter-reason";
  public static final String HEADER_ERROR_TYPE = "eventbus-error-type";
  public static final String HEADER_ERROR_MESSAGE = "eventbus-error-message";
  public static final String HEADER_STACK_TRACE = "eventbus-error-stack-trace";
  public static final String HEADER_ATTEMPTS = "eventbus-attempts";
  public static final String HEADER_FIRST_FAILURE = "eventbus-first-failure-time";
  public static final String HEADER_LAST_FAILURE = "eventbus-last-failure-time";
  public static final String HEADER_SUBSCRIPTION = "eventbus-subscription";
  public static final String HEADER_ORIGINAL_EXCHANGE = "eventbus-original-exchange";
  public static final String HEADER_ORIGINAL_ROUTING_KEY = "eventbus-original-routing-key";

  /**
   * The queue the message was consumed from when it was parked: where a replay sends it back. Set
   * by the transport.
   */
  public static final String HEADER_QUEUE = "eventbus-queue";

  /** How many delayed redeliveries the message has been through. */
  public static final String HEADER_REDELIVERIES = "eventbus-redeliveries";

  /**
   * Set on a parked copy whose reason headers had to be shortened to fit the broker's frame size:
   * which of our texts were truncated and which of our optional headers were left out, as a
   * comma-separated list (see docs/wire-format.md).
   */
  public static final String HEADER_TRUNCATED = "eventbus-dead-letter-truncated";

  /**
   * Set on a parked copy from which headers of the original message had to be removed because the
   * original headers alone did not leave room for the reason: their names, comma-separated. The
   * body is always kept as it was.
   */
  public static final String HEADER_REMOVED_HEADERS = "eventbus-dead-letter-removed-headers";

  static final int MAX_MESSAGE_CHARS = 1_000;
  static final int MAX_STACK_TRACE_CHARS = 4_000;

  /**
   * Checks for nulls, escapes control characters in the error message (it may quote header values)
   * and truncates the texts.
   */
  public DeadLetterReason {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(errorType, "errorType");
    errorMessage =
        SafeText.of(Objects.requireNonNull(errorMessage, "errorMessage"), MAX_MESSAGE_CHARS);
    stackTrace = truncate(Objects.requireNonNull(stackTrace, "stackTrace"), MAX_STACK_TRACE_CHARS);
    Objects.requireNonNull(firstFailure, "firstFailure");
    Objects.requireNonNull(lastFailure, "lastFailure");
    Objects.requireNonNull(subscription, "subscription");
  }

  /**
   * The reason for {@code failure}, categorised by its type, after a single attempt at {@code now}.
   */
  public static DeadLetterReason of(Throwable failure, String subscription, Instant now) {
    return of(failure, subscription, 1, now, now);
  }

  /**
   * The reason for {@code failure}, categorised by its type, after {@code attempts} attempts. The
   * bus itself categorises by where a failure arose ({@link #of(String, Throwable, String, int,
   * Instant, Instant)}): a handler that throws an {@link EventDecodingException} is still a handler
   * failure.
   */
  public static DeadLetterReason of(
      Throwable failure,
      String subscription,
      int attempts,
      Instant firstFailure,
      Instant lastFailure) {
    String category =
        failure instanceof EventDecodingException
            ? CATEGORY_DECODING_FAILED
            : failure instanceof UnknownEventTypeException
                ? CATEGORY_UNKNOWN_TYPE
                : CATEGORY_HANDLER_FAILED;
    return of(category, failure, subscription, attempts, firstFailure, lastFailure);
  }

  /** The reason for {@code failure} in {@code category}, after {@code attempts} attempts. */
  public static DeadLetterReason of(
      String category,
      Throwable failure,
      String subscription,
      int attempts,
      Instant firstFailure,
      Instant lastFailure) {
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    String message = failure.getMessage();
    return new DeadLetterReason(
        category,
        failure.getClass().getName(),
        message == null ? "" : message,
        trace.toString(),
        attempts,
        firstFailure,
        lastFailure,
        subscription);
  }

  /**
   * The headers a message carries between delayed redeliveries: the attempts so far, the
   * redeliveries so far, the first and last failure time, and the last error's type and message
   * (truncated). Read back to continue the count.
   */
  public static Map<String, String> historyHeaders(
      Throwable lastError,
      int attempts,
      int redeliveries,
      Instant firstFailure,
      Instant lastFailure) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(HEADER_ATTEMPTS, Integer.toString(attempts));
    headers.put(HEADER_REDELIVERIES, Integer.toString(redeliveries));
    headers.put(HEADER_FIRST_FAILURE, firstFailure.toString());
    headers.put(HEADER_LAST_FAILURE, lastFailure.toString());
    headers.put(HEADER_ERROR_TYPE, lastError.getClass().getName());
    String message = lastError.getMessage();
    headers.put(
        HEADER_ERROR_MESSAGE, SafeText.of(message == null ? "" : message, MAX_MESSAGE_CHARS));
    return headers;
  }

  /** The reason's headers, in a stable order. */
  public Map<String, String> toHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(HEADER_REASON, category);
    headers.put(HEADER_ERROR_TYPE, errorType);
    headers.put(HEADER_ERROR_MESSAGE, errorMessage);
    headers.put(HEADER_STACK_TRACE, stackTrace);
    headers.put(HEADER_ATTEMPTS, Integer.toString(attempts));
    headers.put(HEADER_FIRST_FAILURE, firstFailure.toString());
    headers.put(HEADER_LAST_FAILURE, lastFailure.toString());
    headers.put(HEADER_SUBSCRIPTION, subscription);
    return headers;
  }

  private static String truncate(String text, int maxChars) {
    return text.length() <= maxChars ? text : text.substring(0, maxChars - 1) + "…";
  }
}
