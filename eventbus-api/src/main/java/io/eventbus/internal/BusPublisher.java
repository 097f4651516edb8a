package io.eventbus.internal;

import io.eventbus.EventBusException;
import io.eventbus.EventMetadata;
import io.eventbus.EventPublisher;
import io.eventbus.EventTypeRegistry;
import io.eventbus.PublishException;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.Transport;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The bus's publishing half: encodes an event (type name, id, partition key, metadata, body) and
 * sends it through the transport, under a PRODUCER span when telemetry is on. It also prepares
 * messages for later sending (an outbox) and sends prepared ones, continuing the trace they carry.
 *
 * <p>Thread-safe. A publish after the bus closed fails with a {@link PublishException}.
 */
final class BusPublisher implements EventPublisher {
  private final Transport transport;
  private final String source;
  private final Clock clock;
  private final EventCodec codec;
  private final Telemetry telemetry;
  private final Supplier<EventTypeRegistry> registry;
  private final BooleanSupplier closed;

  BusPublisher(
      Transport transport,
      String source,
      Clock clock,
      EventCodec codec,
      Telemetry telemetry,
      Supplier<EventTypeRegistry> registry,
      BooleanSupplier closed) {
    this.transport = transport;
    this.source = source;
    this.clock = clock;
    this.codec = codec;
    this.telemetry = telemetry;
    this.registry = registry;
    this.closed = closed;
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Object event, PublishOptions options) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(options, "options");
    Encoded encoded;
    try {
      encoded = encode(event, options);
    } catch (UnknownEventTypeException | PublishException e) {
      return CompletableFuture.failedFuture(e);
    }
    String id = encoded.id();
    String type = encoded.type();
    if (!telemetry.enabled()) {
      return transport
          .send(encoded.message(codec.contentType()))
          .thenApply(ignored -> new PublishReceipt(id, type));
    }
    return sendInstrumented(
        id,
        type,
        encoded.correlationId(),
        encoded.body(),
        codec.contentType(),
        encoded.headers(),
        Context.current());
  }

  /**
   * Everything {@code publish} does before sending: type name, id, partition key, metadata, body.
   * The headers are a fresh mutable map, for the caller to add trace context to.
   *
   * @throws UnknownEventTypeException if the class is not registered
   * @throws PublishException if the partition key cannot be read, the bus is closed or the event
   *     cannot be encoded
   */
  private Encoded encode(Object event, PublishOptions options) {
    Optional<String> typeName = registry.get().nameFor(event.getClass());
    if (typeName.isEmpty()) {
      throw UnknownEventTypeException.unregisteredClass(event.getClass());
    }
    String type = typeName.get();
    String id = options.id() != null ? options.id() : DefaultEventBus.randomId();
    Map<String, String> extensions = options.extensions();
    if (!extensions.containsKey(PartitionKeys.EXTENSION)) {
      Optional<String> key;
      try {
        key = PartitionKeys.keyOf(event);
      } catch (RuntimeException e) {
        throw new PublishException(
            id,
            type,
            "Event " + id + " (" + type + "): its partition key could not be read: " + e,
            e);
      }
      if (key.isPresent()) {
        extensions = new LinkedHashMap<>(extensions);
        extensions.put(PartitionKeys.EXTENSION, key.get());
      }
    }
    EventMetadata metadata =
        new EventMetadata(
            id,
            type,
            source,
            clock.instant(),
            options.correlationId(),
            options.subject(),
            extensions);
    if (closed.getAsBoolean()) {
      throw new PublishException(
          id, type, "Event " + id + " (" + type + "): the bus is closed", null);
    }
    byte[] body;
    try {
      body = codec.encode(event);
    } catch (Exception e) {
      throw new PublishException(
          id, type, "Event " + id + " (" + type + ") could not be encoded: " + e.getMessage(), e);
    }
    return new Encoded(
        id, type, metadata.correlationId(), body, CloudEventsAttributes.toHeaders(metadata));
  }

  /** Sends one message under a PRODUCER span whose parent is {@code parent}. */
  private CompletionStage<PublishReceipt> sendInstrumented(
      String id,
      String type,
      @Nullable String correlationId,
      byte[] body,
      @Nullable String contentType,
      Map<String, String> headers,
      Context parent) {
    Telemetry.Send send =
        telemetry.startSend(parent, type, id, correlationId, body.length, headers);
    CompletionStage<Void> sent;
    try {
      sent =
          transport.send(
              new OutboundMessage(id, type, new WireMessage(body, contentType, headers)));
    } catch (RuntimeException e) {
      send.end(e);
      throw e;
    }
    return sent.handle(
        (ignored, failure) -> {
          send.end(failure);
          if (failure != null) {
            throw failure instanceof CompletionException completion
                ? completion
                : new CompletionException(failure);
          }
          return new PublishReceipt(id, type);
        });
  }

  /** See {@link io.eventbus.spi.BusExtensions#prepare}. */
  OutboundMessage prepare(Object event, PublishOptions options) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(options, "options");
    Encoded encoded = encode(event, options);
    if (telemetry.enabled()) {
      telemetry.injectCurrent(encoded.headers());
    }
    return encoded.message(codec.contentType());
  }

  /** See {@link io.eventbus.spi.BusExtensions#send}. */
  CompletionStage<PublishReceipt> send(OutboundMessage message) {
    Objects.requireNonNull(message, "message");
    String id = message.eventId();
    String type = message.eventType();
    if (closed.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          new PublishException(
              id, type, "Event " + id + " (" + type + "): the bus is closed", null));
    }
    if (!telemetry.enabled()) {
      return transport.send(message).thenApply(ignored -> new PublishReceipt(id, type));
    }
    WireMessage wire = message.message();
    Map<String, String> headers = new LinkedHashMap<>(wire.headers());
    return sendInstrumented(
        id,
        type,
        headers.get(CloudEventsAttributes.CORRELATION_ID),
        wire.body(),
        wire.contentType(),
        headers,
        telemetry.extract(headers));
  }

  /** An event encoded for sending; {@code headers} is mutable. */
  private record Encoded(
      String id,
      String type,
      @Nullable String correlationId,
      byte[] body,
      Map<String, String> headers) {
    OutboundMessage message(String contentType) {
      return new OutboundMessage(id, type, new WireMessage(body, contentType, headers));
    }
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<?> events) {
    Objects.requireNonNull(events, "events");
    List<CompletableFuture<PublishReceipt>> publishes = new ArrayList<>(events.size());
    for (Object event : events) {
      publishes.add(publish(event).toCompletableFuture());
    }
    return CompletableFuture.allOf(publishes.toArray(CompletableFuture[]::new))
        .handle(
            (ignored, failure) -> {
              if (failure == null) {
                return publishes.stream().map(CompletableFuture::join).toList();
              }
              throw batchFailure(publishes);
            });
  }

  private static CompletionException batchFailure(
      List<CompletableFuture<PublishReceipt>> publishes) {
    Throwable first = null;
    for (CompletableFuture<PublishReceipt> publish : publishes) {
      if (publish.isCompletedExceptionally()) {
        Throwable cause = publish.handle((receipt, e) -> e).join();
        cause =
            cause instanceof CompletionException && cause.getCause() != null
                ? cause.getCause()
                : cause;
        if (first == null) {
          first = cause;
        } else if (first != cause) {
          first.addSuppressed(cause);
        }
      }
    }
    return new CompletionException(first);
  }

  @Override
  public PublishReceipt publishAndWait(Object event) {
    try {
      return publish(event).toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new EventBusException("Publish failed", e.getCause());
    }
  }
}
