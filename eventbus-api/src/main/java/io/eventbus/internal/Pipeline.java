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
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's processing of a delivery: the links in their fixed order (see {@link
 * Middleware}) and the settlement of the outcome. This class is the one place that orders them.
 */
public final class Pipeline implements Consumer<InboundMessage> {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final String subscription;
  private final Map<String, Registration<?>> handlersByType;
  private final Supplier<EventTypeRegistry> registry;
  private final EventCodec codec;
  private final Clock clock;
  private final Chain first;

  public Pipeline(
      String subscription,
      Map<String, Registration<?>> handlersByType,
      Supplier<EventTypeRegistry> registry,
      EventCodec codec,
      List<Middleware> middleware,
      Clock clock) {
    this.subscription = subscription;
    this.handlersByType = Map.copyOf(handlersByType);
    this.registry = registry;
    this.codec = codec;
    this.clock = clock;
    List<Middleware> links = new ArrayList<>();
    links.add(this::decode);
    links.addAll(middleware);
    this.first = chain(links, 0);
  }

  /** Each link's chain is built once: it only depends on the position. */
  private Chain chain(List<Middleware> links, int index) {
    if (index == links.size()) {
      return this::invokeHandler;
    }
    Middleware link = links.get(index);
    Chain next = chain(links, index + 1);
    return delivery -> link.handle(delivery, next);
  }

  @Override
  public void accept(InboundMessage inbound) {
    DeliveryContext delivery =
        DeliveryContext.received(subscription, inbound.message(), inbound.redelivered(), 1);
    try {
      first.proceed(delivery);
    } catch (Throwable failure) {
      if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
        inbound.requeue();
        throw (VirtualMachineError) failure;
      }
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      deadLetter(inbound, failure);
      return;
    }
    inbound.ack();
  }

  private void deadLetter(InboundMessage inbound, Throwable failure) {
    Map<String, String> headers = inbound.message().headers();
    @Nullable String id = attribute(headers, "id");
    @Nullable String type = attribute(headers, "type");
    try {
      inbound.deadLetter(DeadLetterReason.of(failure, subscription, clock.instant()));
      log.warn(
          "Event {} ({}) of subscription {} parked in the dead-letter queue: {}: {}",
          id,
          type,
          subscription,
          failure.getClass().getName(),
          failure.getMessage());
    } catch (RuntimeException parkingFailed) {
      log.error(
          "Event {} ({}) of subscription {} could not be parked; returning it to the queue",
          id,
          type,
          subscription,
          parkingFailed);
      inbound.requeue();
    }
  }

  private void decode(DeliveryContext delivery, Chain chain) throws Exception {
    WireMessage message = delivery.message();
    EventMetadata metadata = CloudEventsAttributes.fromHeaders(message.headers());
    String contentType = message.contentType();
    if (contentType != null && !mediaType(contentType).equals(mediaType(codec.contentType()))) {
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
    chain.proceed(delivery.withEvent(metadata, event));
  }

  @SuppressWarnings("unchecked")
  private void invokeHandler(DeliveryContext delivery) throws Exception {
    Registration<Object> handler =
        (Registration<Object>) handlersByType.get(delivery.metadata().type());
    if (handler == null) {
      throw UnknownEventTypeException.noHandler(
          delivery.metadata().id(), delivery.metadata().type(), subscription);
    }
    handler.function().handle(delivery.event(), delivery);
  }

  private static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static @Nullable String attribute(Map<String, String> headers, String name) {
    String value = headers.get(CloudEventsAttributes.PREFIX + name);
    return value != null ? value : headers.get(CloudEventsAttributes.ALTERNATE_PREFIX + name);
  }
}
