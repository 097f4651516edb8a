package io.eventbus.internal;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.RequestHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Turns what the transport answered a request into the caller's reply or a {@link
 * RequestException}: a responder's error, a reply of the wrong type or content type, a body that
 * does not decode, a transport failure. Replies are decoded into the class the caller asked for,
 * never into a class the wire names. Stateless.
 */
final class Replies {
  private Replies() {}

  /**
   * The reply to request {@code requestId} of type {@code requestType}, decoded as {@code
   * replyClass}, which the registry names {@code replyType}.
   *
   * @throws RequestException if the responder failed ({@link Reason#RESPONDER_FAILED}) or the reply
   *     cannot be decoded ({@link Reason#REPLY_NOT_DECODABLE})
   */
  static <R> R decode(
      WireMessage reply,
      EventCodec codec,
      String requestId,
      String requestType,
      String replyType,
      Class<R> replyClass) {
    Map<String, String> headers = reply.headers();
    if (RequestHeaders.isError(headers)) {
      String remoteType = headers.getOrDefault(RequestHeaders.ERROR_TYPE, "unknown");
      String category = headers.get(RequestHeaders.ERROR_CATEGORY);
      String message = headers.getOrDefault(RequestHeaders.ERROR_MESSAGE, "");
      throw RequestException.responderFailed(
          requestId,
          requestType,
          remoteType,
          category == null || category.equals(RequestHeaders.CATEGORY_HANDLER_FAILED)
              ? message
              : message + " (" + category + ")");
    }
    try {
      EventMetadata metadata = CloudEventsAttributes.fromHeaders(headers);
      if (!metadata.type().equals(replyType)) {
        throw new EventDecodingException(
            metadata.id(),
            metadata.type(),
            "The reply's type is '" + metadata.type() + "', expected '" + replyType + "'",
            null);
      }
      String contentType = reply.contentType();
      if (contentType != null && !mediaType(contentType).equals(mediaType(codec.contentType()))) {
        throw new EventDecodingException(
            metadata.id(),
            metadata.type(),
            "Unsupported content type '" + contentType + "' of the reply",
            null);
      }
      return codec.decode(reply.body(), replyClass);
    } catch (Exception e) {
      throw RequestException.of(
          requestId,
          requestType,
          Reason.REPLY_NOT_DECODABLE,
          "the reply could not be decoded as " + replyClass.getName() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The transport's {@code failure} of request {@code requestId} as a {@link RequestException}: the
   * transport's own, or {@link Reason#CONNECTION_LOST} for anything else.
   */
  static RequestException failure(String requestId, String requestType, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof RequestException request) {
      return request;
    }
    return RequestException.of(
        requestId, requestType, Reason.CONNECTION_LOST, "the transport failed: " + cause, cause);
  }

  /** The media type of a content type: without parameters, trimmed, in lower case. */
  static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
