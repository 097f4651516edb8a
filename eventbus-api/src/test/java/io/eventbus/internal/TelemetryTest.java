package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventMetadata;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.internal.PipelineTest.Inbound;
import io.eventbus.internal.PipelineTest.Thing;
import io.eventbus.spi.TelemetryNames;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans and metrics of the publish and delivery paths, with the SDK's in-memory exporters. */
class TelemetryTest {
  private static final String TYPE = "test.thing.v1";
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final AttributeKey<String> ROUTING_KEY =
      AttributeKey.stringKey("messaging.acme.routing_key");
  private static final TelemetryNames NAMES =
      new TelemetryNames("acme", "bus", ROUTING_KEY.getKey());

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  @Test
  void withoutAnSdkNothingIsInstrumented() {
    assertThat(Telemetry.create(OpenTelemetry.noop(), NAMES).enabled()).isFalse();
    assertThat(
            pipeline(Telemetry.create(OpenTelemetry.noop(), NAMES), RetryPolicy.none(), e -> {})
                .links())
        .doesNotContain("TRACING", "METRICS");
    assertThat(pipeline(Telemetry.create(sdk, NAMES), RetryPolicy.none(), e -> {}).links())
        .startsWith("LOGGING", "TRACING", "METRICS", "DEAD_LETTER");
  }

  @Test
  void theProcessSpanIsAChildOfAndLinkedToTheSendSpanWhoseContextTravelsInTheHeaders() {
    Telemetry telemetry = Telemetry.create(sdk, NAMES);
    Inbound inbound = published(telemetry);

    pipeline(telemetry, RetryPolicy.none(), e -> {}).accept(inbound);

    SpanData send = span("send bus:" + TYPE);
    SpanData process = span("process bus:" + TYPE + ":billing");
    assertThat(inbound.message().headers()).containsKey("traceparent");
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(send.getAttributes().asMap())
        .containsEntry(MessagingAttributes.MESSAGING_SYSTEM, "acme")
        .containsEntry(MessagingAttributes.DESTINATION_NAME, "bus:" + TYPE)
        .containsEntry(ROUTING_KEY, TYPE)
        .containsEntry(MessagingAttributes.OPERATION_TYPE, "send")
        .containsEntry(MessagingAttributes.OPERATION_NAME, "send")
        .containsEntry(MessagingAttributes.MESSAGE_ID, "e-1")
        .containsEntry(MessagingAttributes.BODY_SIZE, 16L);
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getLinks())
        .singleElement()
        .satisfies(
            link -> {
              assertThat(link.getSpanContext().getTraceId()).isEqualTo(send.getTraceId());
              assertThat(link.getSpanContext().getSpanId()).isEqualTo(send.getSpanId());
            });
    assertThat(process.getAttributes().asMap())
        .containsEntry(MessagingAttributes.OPERATION_TYPE, "process")
        .containsEntry(MessagingAttributes.CONSUMER_GROUP, "billing")
        .containsEntry(MessagingAttributes.DESTINATION_NAME, "bus:" + TYPE + ":billing")
        .containsEntry(MessagingAttributes.ATTEMPT, 1L)
        .containsEntry(MessagingAttributes.REDELIVERED, false)
        .containsEntry(MessagingAttributes.OUTCOME, "ack");
    assertThat(span("handle " + TYPE).getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(sum("messaging.client.sent.messages")).isEqualTo(1);
    assertThat(sum("messaging.client.consumed.messages")).isEqualTo(1);
    assertThat(count("messaging.process.duration")).isEqualTo(1);
    assertThat(count("messaging.client.operation.duration")).isEqualTo(1);
  }

  @Test
  void aDeliveryThatKeepsFailingShowsEveryAttemptAndEndsInTheDeadLetterStep() {
    Telemetry telemetry = Telemetry.create(sdk, NAMES);
    Inbound inbound = published(telemetry);
    RetryPolicy threeAttempts =
        RetryPolicy.builder()
            .maxAttempts(3)
            .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
            .jitter(0)
            .build();

    pipeline(
            telemetry,
            threeAttempts,
            e -> {
              throw new IllegalStateException("down");
            })
        .accept(inbound);

    assertThat(inbound.settlements).containsExactly("deadLetter");
    SpanData process = span("process bus:" + TYPE + ":billing");
    List<SpanData> attempts =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals("handle " + TYPE))
            .toList();
    assertThat(attempts)
        .extracting(s -> s.getAttributes().get(MessagingAttributes.ATTEMPT))
        .containsExactly(1L, 2L, 3L);
    assertThat(attempts)
        .allSatisfy(a -> assertThat(a.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
    SpanData deadLetter = span("dead_letter bus:" + TYPE + ":billing");
    assertThat(deadLetter.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(deadLetter.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(deadLetter.getAttributes().asMap())
        .containsEntry(MessagingAttributes.OPERATION_TYPE, "settle")
        .containsEntry(MessagingAttributes.OPERATION_NAME, "dead_letter")
        .containsEntry(MessagingAttributes.ERROR_TYPE, "java.lang.IllegalStateException")
        .containsEntry(MessagingAttributes.DEAD_LETTER_REASON, "handler-failed")
        .containsEntry(MessagingAttributes.ATTEMPT, 3L);
    assertThat(process.getAttributes().get(MessagingAttributes.OUTCOME)).isEqualTo("dead_letter");
    assertThat(process.getAttributes().get(MessagingAttributes.ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(sum("eventbus.consumer.retries")).isEqualTo(2);
    assertThat(sum("eventbus.consumer.dead_lettered")).isEqualTo(1);
    assertThat(metric("eventbus.consumer.dead_lettered").getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(MessagingAttributes.ERROR_TYPE))
                    .isEqualTo("java.lang.IllegalStateException"));
  }

  @Test
  void aTransportWithoutARoutingKeyAttributeGetsNoSystemSpecificAttribute() {
    Telemetry telemetry = Telemetry.create(sdk, new TelemetryNames("plain", "bus"));
    Inbound inbound = published(telemetry);

    pipeline(telemetry, RetryPolicy.none(), e -> {}).accept(inbound);

    for (String name : List.of("send bus:" + TYPE, "process bus:" + TYPE + ":billing")) {
      assertThat(span(name).getAttributes().asMap().keySet())
          .extracting(AttributeKey::getKey)
          .contains("messaging.system", "messaging.destination.name")
          .doesNotContain(ROUTING_KEY.getKey())
          .allSatisfy(key -> assertThat(key).doesNotContain("routing_key"));
    }
  }

  @Test
  void aFailedSendIsAnErrorSpanAndCountsWithItsErrorType() {
    Telemetry telemetry = Telemetry.create(sdk, NAMES);
    Telemetry.Send send =
        telemetry.startSend(TYPE, "e-2", null, 3, new java.util.LinkedHashMap<>());
    send.end(new java.util.concurrent.CompletionException(new IllegalArgumentException("no")));

    SpanData span = span("send bus:" + TYPE);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(MessagingAttributes.ERROR_TYPE))
        .isEqualTo("java.lang.IllegalArgumentException");
    assertThat(metric("messaging.client.sent.messages").getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes())
                    .isEqualTo(
                        io.opentelemetry.api.common.Attributes.builder()
                            .put(MessagingAttributes.MESSAGING_SYSTEM, "acme")
                            .put(MessagingAttributes.DESTINATION_NAME, "bus:" + TYPE)
                            .put(MessagingAttributes.OPERATION_NAME, "send")
                            .put(
                                MessagingAttributes.ERROR_TYPE,
                                "java.lang.IllegalArgumentException")
                            .build()));
  }

  @Test
  void typeNamesTheSubscriptionDoesNotHandleShareOneNameSoNothingGrowsWithHostileInput() {
    Telemetry telemetry = Telemetry.create(sdk, NAMES);
    Pipeline pipeline = pipeline(telemetry, RetryPolicy.none(), e -> {});
    for (int i = 0; i < 500; i++) {
      Map<String, String> headers =
          CloudEventsAttributes.toHeaders(EventMetadata.of("e-" + i, "made.up." + i, "/x", NOW));
      Inbound inbound =
          new Inbound(new WireMessage("{}".getBytes(StandardCharsets.UTF_8), null, headers));
      pipeline.accept(inbound);
      assertThat(inbound.settlements).containsExactly("deadLetter");
    }

    assertThat(spans.getFinishedSpanItems())
        .extracting(SpanData::getName)
        .filteredOn(name -> name.startsWith("process "))
        .hasSize(500)
        .containsOnly("process bus:_OTHER:billing");
    assertThat(metric("eventbus.consumer.dead_lettered").getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getAttributes().get(MessagingAttributes.DESTINATION_NAME))
                    .isEqualTo("bus:_OTHER:billing"));
    assertThat(
            Telemetry.create(sdk, NAMES).consumer("billing", java.util.Set.of(TYPE)).cachedNames())
        .isEqualTo(3);
  }

  private Inbound published(Telemetry telemetry) {
    Map<String, String> headers =
        CloudEventsAttributes.toHeaders(EventMetadata.of("e-1", TYPE, "/test", NOW));
    byte[] body = "{\"name\":\"thing\"}".getBytes(StandardCharsets.UTF_8);
    telemetry.startSend(TYPE, "e-1", null, body.length, headers).end(null);
    return new Inbound(new WireMessage(body, "application/json", headers));
  }

  private static Pipeline pipeline(
      Telemetry telemetry, RetryPolicy policy, java.util.function.Consumer<Thing> handler) {
    SubscriptionOptions options =
        SubscriptionOptions.builder("billing").retryPolicy(policy).redeliveryDelays().build();
    Handlers handlers =
        Handlers.builder().on(Thing.class, (event, context) -> handler.accept(event)).build();
    return new Pipeline(
        options.name(),
        Map.of(TYPE, handlers.registrations().values().iterator().next()),
        () -> EventTypeRegistry.builder().register(Thing.class).build(),
        JacksonEventCodec.create(),
        options,
        Clock.fixed(NOW, ZoneOffset.UTC),
        duration -> {},
        telemetry);
  }

  private SpanData span(String name) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "No span "
                        + name
                        + " in "
                        + spans.getFinishedSpanItems().stream().map(SpanData::getName).toList()));
  }

  private MetricData metric(String name) {
    Collection<MetricData> all = metrics.collectAllMetrics();
    return all.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("No metric " + name));
  }

  private long sum(String name) {
    return metric(name).getLongSumData().getPoints().stream().mapToLong(p -> p.getValue()).sum();
  }

  private long count(String name) {
    return metric(name).getHistogramData().getPoints().stream().mapToLong(p -> p.getCount()).sum();
  }
}
