package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.RequestHandler;
import io.eventbus.RequestPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import io.opentelemetry.api.common.AttributeKey;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Request-reply through the shared broker with the real bus: several request types answered by
 * annotated responders (one asynchronous), the circuit breaker and fallback against a missing
 * responder, and the trace and metrics of a round trip. The semantics shared with the in-memory
 * transport (competing responders, deadlines, failures, no responder) are in the conformance suite;
 * connection cuts are in {@link RequestReplyFaultsIT}.
 */
@EventBusTest(transport = TransportKind.BROKER)
class RequestReplyIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @EventType("it.customer.check.v1")
  record CheckCustomer(String customerId) {}

  @EventType("it.customer.status.v1")
  record CustomerStatus(String customerId, boolean allowed) {}

  @EventType("it.stock.reserve.v1")
  record ReserveStock(String sku, int quantity) {}

  @EventType("it.stock.reserved.v1")
  record StockReserved(String sku, int quantity) {}

  @EventType("it.price.quote.v1")
  record QuotePrice(String sku) {}

  @EventType("it.price.quoted.v1")
  record PriceQuoted(String sku, long cents) {}

  /** Three responders in one object, one of them asynchronous. */
  static final class Responders {
    @RequestHandler
    CustomerStatus check(CheckCustomer request) {
      return new CustomerStatus(request.customerId(), !request.customerId().startsWith("blocked"));
    }

    @RequestHandler
    StockReserved reserve(ReserveStock request) {
      return new StockReserved(request.sku(), request.quantity());
    }

    @RequestHandler
    CompletionStage<PriceQuoted> quote(QuotePrice request) {
      return CompletableFuture.supplyAsync(() -> new PriceQuoted(request.sku(), 990));
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

  @Test
  void severalRequestTypesRoundTripThroughAnnotatedResponders(EventBusFixture fixture) {
    fixture.busBuilder().subscribe("order-checks", new Responders()).build();
    EventBus orders = fixture.busBuilder().build();

    CompletableFuture<CustomerStatus> customer =
        orders.request(new CheckCustomer("c-1"), CustomerStatus.class).toCompletableFuture();
    CompletableFuture<StockReserved> stock =
        orders.request(new ReserveStock("sku-1", 3), StockReserved.class).toCompletableFuture();
    CompletableFuture<PriceQuoted> price =
        orders.request(new QuotePrice("sku-1"), PriceQuoted.class).toCompletableFuture();

    assertThat(customer.join()).isEqualTo(new CustomerStatus("c-1", true));
    assertThat(stock.join()).isEqualTo(new StockReserved("sku-1", 3));
    assertThat(price.join()).isEqualTo(new PriceQuoted("sku-1", 990));
    assertThat(orders.requestAndWait(new CheckCustomer("blocked-2"), CustomerStatus.class))
        .isEqualTo(new CustomerStatus("blocked-2", false));
  }

  @Test
  void aMissingResponderOpensTheCircuitAndTheFallbackAnswersVisiblyInHealth(
      EventBusFixture fixture) {
    EventBus orders =
        fixture
            .busBuilder()
            .requestPolicy(
                CheckCustomer.class,
                RequestPolicy.builder()
                    .timeout(Duration.ofSeconds(2))
                    .idempotent(true)
                    .retry(
                        RetryPolicy.builder()
                            .maxAttempts(2)
                            .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10))
                            .build())
                    .circuitBreaker(
                        RequestPolicy.CircuitBreakerSettings.defaults()
                            .withWindow(4, 4)
                            .withOpenDuration(Duration.ofMinutes(1)))
                    .fallback(
                        CustomerStatus.class,
                        failure -> new CustomerStatus("unknown:" + failure.reason(), false))
                    .build())
            .build();

    for (int i = 0; i < 2; i++) {
      assertThat(orders.requestAndWait(new CheckCustomer("c-" + i), CustomerStatus.class))
          .isEqualTo(new CustomerStatus("unknown:NO_RESPONDER", false));
    }
    assertThat(orders.requestAndWait(new CheckCustomer("c-3"), CustomerStatus.class))
        .isEqualTo(new CustomerStatus("unknown:CIRCUIT_OPEN", false));
    assertThat(orders.health().component("requests:it.customer.check.v1"))
        .hasValueSatisfying(
            component -> {
              assertThat(component.status()).isEqualTo(io.eventbus.Health.Status.DEGRADED);
              assertThat(component.details()).containsEntry("circuit", "OPEN");
            });
  }

  @Test
  void theResponderContinuesTheRequestsTraceAndTheReplyCarriesIt(EventBusFixture fixture) {
    fixture.busBuilder().openTelemetry(sdk).subscribe("traced", new Responders()).build();
    EventBus orders = fixture.busBuilder().openTelemetry(sdk).build();
    String exchange = fixture.exchange();

    orders.requestAndWait(new ReserveStock("sku-1", 1), StockReserved.class);

    SpanData request =
        awaitSpan(s -> s.getName().equals("request " + exchange + ":it.stock.reserve.v1"));
    SpanData process = awaitSpan(s -> s.getKind() == SpanKind.CONSUMER);
    assertThat(request.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(request.getAttributes().get(AttributeKey.stringKey("eventbus.request.outcome")))
        .isEqualTo("ok");
    assertThat(process.getTraceId()).isEqualTo(request.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(request.getSpanId());
    assertThat(process.getAttributes().get(AttributeKey.stringKey("eventbus.outcome")))
        .isEqualTo("reply");

    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", "raw-1");
    headers.put("cloudEvents:source", "/raw");
    headers.put("cloudEvents:type", "it.stock.reserve.v1");
    headers.put("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
    WireMessage reply =
        fixture
            .transport()
            .request(
                new OutboundMessage(
                    "raw-1",
                    "it.stock.reserve.v1",
                    new WireMessage(
                        "{\"sku\":\"s\",\"quantity\":1}".getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        headers)),
                WAIT)
            .toCompletableFuture()
            .join();
    assertThat(reply.headers().get("traceparent")).contains(traceId);
    assertThat(reply.headers()).containsEntry("cloudEvents:correlationid", "raw-1");

    Await.until(WAIT, () -> find("eventbus.request.duration") != null, "request metrics");
    assertThat(find("eventbus.request.duration").getHistogramData().getPoints())
        .anySatisfy(p -> assertThat(p.getCount()).isEqualTo(1));
  }

  private SpanData awaitSpan(Predicate<SpanData> matching) {
    return Await.until(
            WAIT,
            () -> spans.getFinishedSpanItems().stream().filter(matching).findFirst(),
            Optional::isPresent,
            "a span")
        .orElseThrow();
  }

  private MetricData find(String name) {
    List<MetricData> all = List.copyOf(metrics.collectAllMetrics());
    return all.stream().filter(m -> m.getName().equals(name)).findFirst().orElse(null);
  }
}
