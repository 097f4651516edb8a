package io.eventbus.internal;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.RequestHeaders;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Makes the wire form of replies, as docs/wire-format.md specifies: CloudEvents attributes of their
 * own (a new id, the reply's type, the bus's source), {@code cloudEvents:correlationid} = the
 * request's id, {@link RequestHeaders#REPLY_STATUS}, and for a failure the category, type and
 * message of the error, never its stack trace.
 */
final class ReplyWriter {
  /** A reply whose class has no type name, or whose body could not be encoded. */
  static final class NotEncodable extends Exception {
    private static final long serialVersionUID = 1L;

    NotEncodable(String message, @Nullable Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private final String source;
  private final Clock clock;
  private final EventCodec codec;
  private final Supplier<EventTypeRegistry> registry;

  ReplyWriter(String source, Clock clock, EventCodec codec, Supplier<EventTypeRegistry> registry) {
    this.source = source;
    this.clock = clock;
    this.codec = codec;
    this.registry = registry;
  }

  /** The reply carrying {@code reply} to the request {@code requestId}. */
  WireMessage ok(@Nullable String requestId, Object reply) throws NotEncodable {
    String type = typeName(reply.getClass());
    byte[] body;
    try {
      body = codec.encode(reply);
    } catch (Exception e) {
      throw new NotEncodable(
          "The reply " + reply.getClass().getName() + " could not be encoded: " + e.getMessage(),
          e);
    }
    Map<String, String> headers = attributes(requestId, type);
    headers.put(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_OK);
    return new WireMessage(body, codec.contentType(), headers);
  }

  /** The failure reply reporting {@code failure} to the request {@code requestId}. */
  WireMessage error(@Nullable String requestId, Throwable failure) {
    Throwable cause = unwrap(failure);
    Map<String, String> headers = attributes(requestId, RequestHeaders.ERROR_REPLY_TYPE);
    headers.put(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_ERROR);
    headers.put(RequestHeaders.ERROR_CATEGORY, category(cause));
    headers.put(RequestHeaders.ERROR_TYPE, cause.getClass().getName());
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    headers.put(
        RequestHeaders.ERROR_MESSAGE,
        message.length() <= RequestHeaders.MAX_ERROR_MESSAGE_CHARS
            ? message
            : message.substring(0, RequestHeaders.MAX_ERROR_MESSAGE_CHARS - 1) + "…");
    return new WireMessage(new byte[0], null, headers);
  }

  private Map<String, String> attributes(@Nullable String requestId, String type) {
    return CloudEventsAttributes.toHeaders(
        new EventMetadata(
            DefaultEventBus.randomId(), type, source, clock.instant(), requestId, null, Map.of()));
  }

  private String typeName(Class<?> replyClass) throws NotEncodable {
    Optional<String> registered = registry.get().nameFor(replyClass);
    if (registered.isPresent()) {
      return registered.get();
    }
    try {
      return EventTypeRegistry.declaredName(replyClass);
    } catch (RuntimeException e) {
      throw new NotEncodable(
          "The reply class "
              + replyClass.getName()
              + " is not an event type: annotate it with @EventType or register it",
          e);
    }
  }

  static String category(Throwable failure) {
    if (failure instanceof EventDecodingException) {
      return RequestHeaders.CATEGORY_DECODING_FAILED;
    }
    if (failure instanceof UnknownEventTypeException) {
      return RequestHeaders.CATEGORY_UNKNOWN_TYPE;
    }
    if (failure instanceof NotEncodable) {
      return RequestHeaders.CATEGORY_REPLY_NOT_ENCODABLE;
    }
    return RequestHeaders.CATEGORY_HANDLER_FAILED;
  }

  /** The failure inside a stage's wrappers. */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
