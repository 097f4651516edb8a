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
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns the raw message into a typed event (the {@code DECODE} stage): CloudEvents attributes to
 * metadata, the content type checked, the type name to a handled class, the body decoded. Every
 * failure is permanent: an {@link EventDecodingException} or {@link UnknownEventTypeException}.
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
    WireMessage message = delivery.message();
    EventMetadata metadata = CloudEventsAttributes.fromHeaders(message.headers());
    String contentType = message.contentType();
    if (contentType != null && !mediaType(contentType).equals(expectedMediaType)) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Unsupported content type '" + contentType + "', expected '" + codec.contentType() + "'",
          null);
    }
    Registration<?> handler = handlersByType.get(metadata.type());
    if (handler == null) {
      throw registry.get().classFor(metadata.type()).isPresent()
          ? UnknownEventTypeException.noHandler(metadata.id(), metadata.type(), subscription)
          : UnknownEventTypeException.unregisteredName(metadata.id(), metadata.type());
    }
    Object event;
    try {
      event = codec.decode(message.body(), handler.eventClass());
    } catch (Exception e) {
      throw new EventDecodingException(
          metadata.id(),
          metadata.type(),
          "Body of event "
              + metadata.id()
              + " could not be decoded as "
              + handler.eventClass().getName()
              + ": "
              + e.getMessage(),
          e);
    }
    next.proceed(delivery.withEvent(metadata, event));
  }

  private static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
