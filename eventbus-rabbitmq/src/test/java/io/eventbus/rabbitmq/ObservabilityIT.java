package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.NonRetryable;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.OrderPlaced;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
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
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Traces and metrics of real publishes and deliveries through the broker, with the OTel SDK. */
@EventBusTest(transport = TransportKind.BROKER)
class ObservabilityIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String TYPE = "it.payment.completed.v1";
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> ROUTING_KEY =
      AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key");
  private static final AttributeKey<String> GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");
  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("eventbus.attempt");
  private static final AttributeKey<Long> REDELIVERIES =
      AttributeKey.longKey("eventbus.redeliveries");
  private static final RetryPolicy TWO_FAST_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(2)
          .backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50))
          .build();

  static final class Refused extends RuntimeException implements NonRetryable {
    Refused() {
      super("refused");
    }
  }

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

  private EventBus bus(EventBusFixture fixture, SubscriptionOptions options, Handlers handlers) {
    return fixture
        .busBuilder()
        .openTelemetry(sdk)
        .sleeper(duration -> {})
        .subscribe(options, handlers)
        .build();
  }

  @Test
  void theConsumerSpanContinuesTheProducersTraceAcrossTheBroker(EventBusFixture fixture) {
    String subscription = "traced";
    String exchange = fixture.exchange();
    EventBus bus =
        bus(
            fixture,
            SubscriptionOptions.named(subscription),
            Handlers.builder().on(PaymentCompleted.class, (event, context) -> {}).build());

    String id = bus.publishAndWait(new PaymentCompleted("o-1", 100)).eventId();

    String sendName = "send " + exchange + ":" + TYPE;
    String processName = "process " + exchange + ":" + TYPE + ":" + subscription;
    SpanData process = awaitSpan(s -> s.getName().equals(processName));
    SpanData send = awaitSpan(s -> s.getName().equals(sendName));
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(send.getAttributes().get(SYSTEM)).isEqualTo("rabbitmq");
    assertThat(send.getAttributes().get(DESTINATION)).isEqualTo(exchange + ":" + TYPE);
    assertThat(send.getAttributes().get(ROUTING_KEY)).isEqualTo(TYPE);
    assertThat(send.getAttributes().get(MESSAGE_ID)).isEqualTo(id);
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getLinks())
        .singleElement()
        .satisfies(
            link -> assertThat(link.getSpanContext().getSpanId()).isEqualTo(send.getSpanId()));
    assertThat(process.getAttributes().get(GROUP)).isEqualTo(subscription);
    assertThat(process.getAttributes().get(MESSAGE_ID)).isEqualTo(id);
    assertThat(process.getAttributes().get(ATTEMPT)).isEqualTo(1L);
  }

  @Test
  void aRedeliveredThenDeadLetteredEventShowsEveryAttemptInTheProducersTrace(
      EventBusFixture fixture) {
    Duration delay = Duration.ofMillis(100);
    String subscription = "traced-failing";
    EventBus bus =
        bus(
            fixture,
            SubscriptionOptions.builder(subscription)
                .retryPolicy(TWO_FAST_ATTEMPTS)
                .redeliveryDelays(delay)
                .build(),
            Handlers.builder()
                .on(
                    PaymentCompleted.class,
                    (event, context) -> {
                      throw new IllegalStateException("provider down");
                    })
                .build());

    bus.publishAndWait(new PaymentCompleted("o-2", 200));
    fixture.recorder().awaitDeadLettered(subscription, 1, WAIT);

    String destination = fixture.exchange() + ":" + TYPE + ":" + subscription;
    SpanData deadLetter = awaitSpan(s -> s.getName().equals("dead_letter " + destination));
    SpanData send = awaitSpan(s -> s.getKind() == SpanKind.PRODUCER);
    // The dead_letter span ends inside the second process span, which ends a moment later.
    Await.until(
        WAIT,
        () ->
            spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("process " + destination))
                    .count()
                >= 2,
        "the second delivery's process span to end");
    List<SpanData> trace =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getTraceId().equals(send.getTraceId()))
            .toList();
    List<SpanData> processes =
        trace.stream().filter(s -> s.getName().equals("process " + destination)).toList();
    assertThat(processes)
        .as("one process span per delivery, both children of the send span")
        .hasSize(2)
        .allSatisfy(p -> assertThat(p.getParentSpanId()).isEqualTo(send.getSpanId()));
    assertThat(processes)
        .extracting(p -> p.getAttributes().get(REDELIVERIES))
        .containsExactlyInAnyOrder(0L, 1L);
    assertThat(trace)
        .filteredOn(s -> s.getName().equals("handle " + TYPE))
        .extracting(s -> s.getAttributes().get(ATTEMPT))
        .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    SpanData redeliver =
        trace.stream()
            .filter(s -> s.getName().equals("redeliver " + destination))
            .findFirst()
            .orElseThrow();
    assertThat(redeliver.getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(deadLetter.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(deadLetter.getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(deadLetter.getAttributes().get(ATTEMPT)).isEqualTo(4L);
  }

  @Test
  void metricValuesMatchTheCountsOfAKnownRun(EventBusFixture fixture) {
    String subscription = "measured";
    AtomicInteger calls = new AtomicInteger();
    EventBus bus =
        bus(
            fixture,
            SubscriptionOptions.builder(subscription)
                .retryPolicy(TWO_FAST_ATTEMPTS)
                .redeliveryDelays()
                .build(),
            Handlers.builder()
                .on(
                    PaymentCompleted.class,
                    (event, context) -> {
                      calls.incrementAndGet();
                      if (event.amountCents() == 1 && context.attempt() == 1) {
                        throw new IllegalStateException("once");
                      }
                      if (event.amountCents() == 2) {
                        throw new Refused();
                      }
                    })
                .build());

    for (long amount : new long[] {0, 0, 0, 1, 2}) {
      bus.publishAndWait(new PaymentCompleted("o-" + amount, amount));
    }
    fixture.recorder().awaitDeadLettered(subscription, 1, WAIT);
    awaitSum("messaging.client.consumed.messages", 5);

    assertThat(sum("messaging.client.sent.messages", Attributes.empty())).isEqualTo(5);
    assertThat(histogramCount("messaging.client.operation.duration")).isEqualTo(5);
    assertThat(histogramCount("messaging.process.duration")).isEqualTo(5);
    assertThat(sum("eventbus.consumer.retries", Attributes.empty())).isEqualTo(1);
    assertThat(sum("eventbus.consumer.dead_lettered", Attributes.empty())).isEqualTo(1);
    assertThat(find("eventbus.consumer.redeliveries")).as("no redelivery recorded").isNull();
    assertThat(calls).hasValue(6);
    assertThat(metric("eventbus.consumer.dead_lettered").getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            p -> assertThat(p.getAttributes().get(ERROR_TYPE)).endsWith("ObservabilityIT.Refused"));
    assertThat(
            sum(
                "eventbus.connection.state",
                Attributes.of(
                    AttributeKey.stringKey("eventbus.connection"), "publish",
                    AttributeKey.stringKey("eventbus.connection.state"), "connected")))
        .isEqualTo(1);
    assertThat(sum("eventbus.publisher.outstanding_confirms", Attributes.empty())).isZero();
  }

  @Test
  void unroutableEventsAreCountedByTypeInTheirMetric(EventBusFixture fixture) {
    EventBus bus =
        fixture
            .busBuilder()
            .openTelemetry(sdk)
            .register(OrderPlaced.class)
            .subscribe(
                SubscriptionOptions.named("payments-only"),
                Handlers.builder().on(PaymentCompleted.class, (event, context) -> {}).build())
            .build();

    OrderPlaced order = new OrderPlaced("o-1", BigDecimal.ONE, Instant.now(), List.of("book"));
    bus.publishAndWait(order);
    bus.publishAndWait(order);
    bus.publishAndWait(new PaymentCompleted("o-1", 1));
    fixture.recorder().awaitHandled("payments-only", PaymentCompleted.class, 1, WAIT);

    assertThat(metric("eventbus.publisher.unroutable_accepted").getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getValue()).isEqualTo(2);
              assertThat(p.getAttributes().get(AttributeKey.stringKey("cloudevents.event_type")))
                  .isEqualTo("it.order.placed.v1");
            });
  }

  private SpanData awaitSpan(Predicate<SpanData> wanted) {
    return Await.until(
            WAIT,
            () -> spans.getFinishedSpanItems().stream().filter(wanted).findFirst(),
            Optional::isPresent,
            "a finished span as wanted")
        .orElseThrow();
  }

  private void awaitSum(String name, long expected) {
    Await.until(
        WAIT,
        () -> find(name) != null && sum(name, Attributes.empty()) >= expected,
        name + " to reach " + expected);
  }

  private MetricData find(String name) {
    Collection<MetricData> all = metrics.collectAllMetrics();
    return all.stream().filter(m -> m.getName().equals(name)).findFirst().orElse(null);
  }

  private MetricData metric(String name) {
    MetricData metric = find(name);
    assertThat(metric).as("metric " + name).isNotNull();
    return metric;
  }

  /** The sum of the metric's points whose attributes include {@code filter}. */
  private long sum(String name, Attributes filter) {
    MetricData metric = metric(name);
    var points =
        switch (metric.getType()) {
          case LONG_SUM -> metric.getLongSumData().getPoints();
          case LONG_GAUGE -> metric.getLongGaugeData().getPoints();
          default -> throw new AssertionError(name + " is a " + metric.getType());
        };
    return points.stream()
        .filter(
            p ->
                filter.asMap().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(p.getAttributes().asMap().get(e.getKey()))))
        .mapToLong(p -> p.getValue())
        .sum();
  }

  private long histogramCount(String name) {
    return metric(name).getHistogramData().getPoints().stream().mapToLong(p -> p.getCount()).sum();
  }
}
