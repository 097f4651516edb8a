package io.eventbus.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.PartitionKey;
import io.eventbus.PublishException;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.CloudEventsAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Prepared publishing and health contributions, on a bus over a transport that records sends. */
class BusExtensionsTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @EventType("test.order.v1")
  record Order(@PartitionKey String orderId, int items) {}

  record Unregistered(String name) {}

  /** Records every message sent and confirms it at once. */
  static final class RecordingTransport implements Transport {
    final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> send(OutboundMessage message) {
      sent.add(message);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public TransportSubscription subscribe(
        SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
      throw new UnsupportedOperationException("publishing only");
    }

    @Override
    public void close() {}
  }

  private final RecordingTransport transport = new RecordingTransport();

  private EventBus bus(OpenTelemetry openTelemetry) {
    return EventBus.builder()
        .transport(transport)
        .source("/orders")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .openTelemetry(openTelemetry)
        .register(Order.class)
        .build();
  }

  @Test
  void aPreparedMessageIsTheMessagePublishWouldSend() {
    try (EventBus bus = bus(OpenTelemetry.noop())) {
      PublishOptions options = PublishOptions.none().withId("e-1").withCorrelationId("o-7");
      bus.publish(new Order("o-7", 3), options).toCompletableFuture().join();

      OutboundMessage prepared = BusExtensions.of(bus).prepare(new Order("o-7", 3), options);

      OutboundMessage published = transport.sent.get(0);
      assertThat(transport.sent).hasSize(1);
      assertThat(prepared.eventId()).isEqualTo("e-1");
      assertThat(prepared.eventType()).isEqualTo("test.order.v1");
      assertThat(prepared.message().headers()).isEqualTo(published.message().headers());
      assertThat(prepared.message().headers())
          .containsEntry(CloudEventsAttributes.SOURCE, "/orders")
          .containsEntry(CloudEventsAttributes.TIME, NOW.toString())
          .containsEntry(CloudEventsAttributes.CORRELATION_ID, "o-7")
          .containsEntry(CloudEventsAttributes.PREFIX + "partitionkey", "o-7");
      assertThat(prepared.message().contentType()).isEqualTo("application/json");
      assertThat(new String(prepared.message().body(), StandardCharsets.UTF_8))
          .isEqualTo(new String(published.message().body(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void sendPassesThePreparedMessageOnAsItIsAndCompletesWithAReceipt() {
    try (EventBus bus = bus(OpenTelemetry.noop())) {
      BusExtensions extensions = BusExtensions.of(bus);
      OutboundMessage prepared = extensions.prepare(new Order("o-1", 1), PublishOptions.none());

      PublishReceipt receipt = extensions.send(prepared).toCompletableFuture().join();

      assertThat(transport.sent).containsExactly(prepared);
      assertThat(receipt).isEqualTo(new PublishReceipt(prepared.eventId(), "test.order.v1"));
    }
  }

  @Test
  void theSendSpanContinuesTheTraceThatWasCurrentWhenTheMessageWasPrepared() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (OpenTelemetrySdk sdk =
            OpenTelemetrySdk.builder()
                .setTracerProvider(
                    SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        EventBus bus = bus(sdk)) {
      BusExtensions extensions = BusExtensions.of(bus);
      Span request = sdk.getTracer("test").spanBuilder("place order").startSpan();
      OutboundMessage prepared;
      try (Scope ignored = request.makeCurrent()) {
        prepared = extensions.prepare(new Order("o-2", 2), PublishOptions.none());
      } finally {
        request.end();
      }
      assertThat(prepared.message().headers().get("traceparent"))
          .contains(request.getSpanContext().getSpanId());

      extensions.send(prepared).toCompletableFuture().join();

      SpanData send =
          spans.getFinishedSpanItems().stream()
              .filter(span -> span.getKind() == SpanKind.PRODUCER)
              .findFirst()
              .orElseThrow();
      assertThat(send.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
      assertThat(send.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
      OutboundMessage sent = transport.sent.get(0);
      assertThat(sent.message().headers().get("traceparent")).contains(send.getSpanId());
      assertThat(sent.message().body()).isSameAs(prepared.message().body());
    }
  }

  @Test
  void prepareFailsAsPublishWouldForAnUnregisteredClassAndAClosedBus() {
    EventBus bus = bus(OpenTelemetry.noop());
    BusExtensions extensions = BusExtensions.of(bus);
    OutboundMessage prepared = extensions.prepare(new Order("o-3", 1), PublishOptions.none());

    assertThatThrownBy(() -> extensions.prepare(new Unregistered("x"), PublishOptions.none()))
        .isInstanceOf(UnknownEventTypeException.class);
    bus.close();
    assertThatThrownBy(() -> extensions.prepare(new Order("o-3", 1), PublishOptions.none()))
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("closed");
    assertThat(extensions.send(prepared).toCompletableFuture())
        .failsWithin(java.time.Duration.ofSeconds(1))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(PublishException.class);
    assertThat(transport.sent).isEmpty();
  }

  @Test
  void aContributedComponentIsPartOfTheBusHealthUntilItsRegistrationCloses() {
    try (EventBus bus = bus(OpenTelemetry.noop())) {
      Health.Component outbox =
          new Health.Component("outbox", Health.Status.DOWN, "stuck", Map.of("depth", 3L));
      BusExtensions.HealthRegistration registration = BusExtensions.of(bus).addHealth(() -> outbox);

      assertThat(bus.health().component("outbox")).contains(outbox);
      assertThat(bus.health().status()).isEqualTo(Health.Status.DOWN);

      registration.close();
      registration.close();
      assertThat(bus.health().component("outbox")).isEmpty();
    }
  }

  @Test
  void aBusThatIsNotTheBuiltOneHasNoExtensions() {
    EventBus decorator =
        new EventBus() {
          @Override
          public CompletionStage<PublishReceipt> publish(Object event, PublishOptions options) {
            throw new UnsupportedOperationException();
          }

          @Override
          public CompletionStage<List<PublishReceipt>> publishAll(List<?> events) {
            throw new UnsupportedOperationException();
          }

          @Override
          public PublishReceipt publishAndWait(Object event) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Subscription subscribe(SubscriptionOptions options, Handlers handlers) {
            throw new UnsupportedOperationException();
          }

          @Override
          public Health health() {
            return Health.of(List.of());
          }

          @Override
          public EventTypeRegistry registry() {
            return EventTypeRegistry.builder().build();
          }

          @Override
          public void close() {}
        };

    assertThatThrownBy(() -> BusExtensions.of(decorator))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("EventBus.builder()");
  }
}
