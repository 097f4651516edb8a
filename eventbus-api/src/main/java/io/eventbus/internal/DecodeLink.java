package io.eventbus.internal;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers.Registration;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.SafeText;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns the raw message into a typed event (the {@code DECODE} stage): CloudEvents attributes to
 * metadata, the content type checked, the type name to a handled class, the body's size checked
 * against the codec's limit, the body decoded. Every failure is permanent: an {@link
 * EventDecodingException} or {@link UnknownEventTypeException}, marked in the delivery's state with
 * its dead-letter category ({@code decoding-failed}, {@code unknown-type}, {@code too-large}). What
 * the rest of the chain throws is not marked: it is the handler's failure.
 *
 * <p>Messages of these exceptions carry no payload text: the codec describes a body it cannot read
 * by what and where (see {@link io.eventbus.codec.JacksonEventCodec}), and attribute values are
 * quoted through {@link SafeText}.
 */
final class DecodeLink implements Link {
  private final String subscription;
  private final Map<String, Registration<?>> handlersByType;
  private final Supplier<EventTypeRegistry> registry;
  private final EventCodec codec;
  private final String expectedMediaType;

  DecodeLink(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec) {
    this.subscription = subscription;
    this.handlersByType = handlersByType;
    this.registry = registry;
    this.codec = codec;
    this.expectedMediaType = mediaType(codec.contentType());
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    DeliveryContext decoded;
    try {
      decoded = decode(delivery);
    } catch (UnknownEventTypeException e) {
      state.rejected(DeadLetterReason.CATEGORY_UNKNOWN_TYPE);
      throw e;
    } catch (TooLarge e) {
      state.rejected(DeadLetterReason.CATEGORY_TOO_LARGE);
      throw e.failure;
    } catch (RuntimeException e) {
      state.rejected(DeadLetterReason.CATEGORY_DECODING_FAILED);
      throw e;
    }
    // Outside the try: whatever the handler throws is the handler's failure, whatever its type.
    next.proceed(decoded);
  }

  private DeliveryContext decode(DeliveryContext delivery) throws TooLarge {
    WireMessage message = delivery.message();
    EventMetadata metadata = CloudEventsAttributes.fromHeaders(message.headers());
    String contentType = message.contentType();
    if (contentType != null && !mediaType(contentType).equals(expectedMediaType)) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Unsupported content type '"
              + SafeText.of(contentType)
              + "', expected '"
              + codec.contentType()
              + "'",
          null);
    }
    Registration<?> handler = handlersByType.get(metadata.type());
    if (handler == null) {
      throw registry.get().classFor(metadata.type()).isPresent()
          ? UnknownEventTypeException.noHandler(metadata.id(), metadata.type(), subscription)
          : UnknownEventTypeException.unregisteredName(metadata.id(), metadata.type());
    }
    byte[] body = message.body();
    if (body.length > codec.maxBodyBytes()) {
      throw new TooLarge(
          new EventDecodingException(
              metadata.id(),
              metadata.type(),
              "Body of event "
                  + SafeText.of(metadata.id())
                  + " is "
                  + body.length
                  + " bytes, over the codec's limit of "
                  + codec.maxBodyBytes()
                  + " bytes; it was not decoded",
              null));
    }
    Object event;
    try {
      event = codec.decode(body, handler.eventClass());
    } catch (Exception e) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Body of event "
              + SafeText.of(metadata.id())
              + " could not be decoded as "
              + handler.eventClass().getName()
              + ": "
              + e.getMessage(),
          e);
    }
    return delivery.withEvent(metadata, event);
  }

  /** Carries a too-large refusal past the generic catch. */
  private static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;
    final EventDecodingException failure;

    TooLarge(EventDecodingException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
