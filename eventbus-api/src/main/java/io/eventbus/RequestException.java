package io.eventbus;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A request that got no usable reply: {@link #reason()} says why, and for {@link
 * Reason#RESPONDER_FAILED} {@link #remoteType()} and {@link #remoteMessage()} say what the
 * responder threw (never its stack trace).
 *
 * <pre>{@code
 * bus.request(new CheckCustomer("c-1"), CustomerStatus.class)
 *     .exceptionally(failure -> {
 *       if (failure.getCause() instanceof RequestException e
 *           && e.reason() == RequestException.Reason.NO_RESPONDER) {
 *         return CustomerStatus.unknown("c-1");
 *       }
 *       throw new CompletionException(failure);
 *     });
 * }</pre>
 *
 * <p>Built by the factory methods, whose messages name the request id and type. Whether the
 * responder may have acted on the request depends on the reason: never for {@link
 * Reason#NO_RESPONDER}, {@link Reason#CIRCUIT_OPEN}, {@link Reason#CONCURRENCY_LIMIT} and {@link
 * Reason#INVALID_REQUEST}; possibly for the others.
 */
public final class RequestException extends EventBusException {
  private static final long serialVersionUID = 1L;

  /** Why a request failed. */
  public enum Reason {
    /** No responder is bound for the request's type; reported at once, not at the deadline. */
    NO_RESPONDER,
    /** No reply arrived before the request's deadline (or its attempt's timeout). */
    DEADLINE_EXCEEDED,
    /** The responder's handler threw; its exception's type and message came back. */
    RESPONDER_FAILED,
    /** A reply came back but could not be decoded as the expected reply class. */
    REPLY_NOT_DECODABLE,
    /** The request type's circuit breaker is open: not sent. */
    CIRCUIT_OPEN,
    /** The request type's concurrency limit is reached: not sent. */
    CONCURRENCY_LIMIT,
    /**
     * The request was sent, then the connection (or channel) that would carry its reply was lost:
     * the responder may have acted on it.
     */
    CONNECTION_LOST,
    /** The bus or its transport is closed, or the transport cannot send requests. */
    CLOSED,
    /** The request could not be encoded or sent as given (a bug in the caller or its types). */
    INVALID_REQUEST
  }

  private final String requestId;
  private final String requestType;
  private final Reason reason;
  private final @Nullable String remoteType;
  private final @Nullable String remoteMessage;

  private RequestException(
      String requestId,
      String requestType,
      Reason reason,
      String message,
      @Nullable String remoteType,
      @Nullable String remoteMessage,
      @Nullable Throwable cause) {
    super(message, cause);
    this.requestId = requestId;
    this.requestType = requestType;
    this.reason = reason;
    this.remoteType = remoteType;
    this.remoteMessage = remoteMessage;
  }

  /** A failure of {@code reason} for the request, explained by {@code detail}. */
  public static RequestException of(
      String requestId,
      String requestType,
      Reason reason,
      String detail,
      @Nullable Throwable cause) {
    return new RequestException(
        requestId, requestType, reason, text(requestId, requestType, detail), null, null, cause);
  }

  /** No responder is bound for the type. */
  public static RequestException noResponder(String requestId, String requestType) {
    return of(
        requestId,
        requestType,
        Reason.NO_RESPONDER,
        "no responder is bound for this request type",
        null);
  }

  /** No reply within {@code timeout}. */
  public static RequestException deadlineExceeded(
      String requestId, String requestType, Duration timeout) {
    return of(
        requestId,
        requestType,
        Reason.DEADLINE_EXCEEDED,
        "no reply within " + timeout.toMillis() + " ms",
        null);
  }

  /** The responder threw {@code remoteType} with {@code remoteMessage}. */
  public static RequestException responderFailed(
      String requestId, String requestType, String remoteType, String remoteMessage) {
    return new RequestException(
        requestId,
        requestType,
        Reason.RESPONDER_FAILED,
        text(requestId, requestType, "the responder failed: " + remoteType + ": " + remoteMessage),
        remoteType,
        remoteMessage,
        null);
  }

  private static String text(String requestId, String requestType, String detail) {
    return "Request " + requestId + " (" + requestType + "): " + detail;
  }

  /** The request's id (its {@code cloudEvents:id}); a retried request keeps it. */
  public String requestId() {
    return requestId;
  }

  /** The request's type name. */
  public String requestType() {
    return requestType;
  }

  /** Why the request failed. */
  public Reason reason() {
    return reason;
  }

  /**
   * For {@link Reason#RESPONDER_FAILED}: the class name of what the responder threw (or the error
   * category it reported, for a request it could not decode); null otherwise.
   */
  public @Nullable String remoteType() {
    return remoteType;
  }

  /** For {@link Reason#RESPONDER_FAILED}: the responder's exception message; null otherwise. */
  public @Nullable String remoteMessage() {
    return remoteMessage;
  }
}
