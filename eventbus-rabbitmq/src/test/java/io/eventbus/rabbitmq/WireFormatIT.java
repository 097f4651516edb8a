package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.rabbitmq.TestEvents.Accepting;
import io.eventbus.rabbitmq.TestEvents.OrderPlaced;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The promises of docs/wire-format.md, checked with the raw amqp-client on both sides. */
@EventBusTest(transport = TransportKind.BROKER)
class WireFormatIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aPublishedEventCarriesEveryPromisedHeaderAndProperty(EventBusFixture fixture)
      throws Exception {
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      publishAndReadRaw(fixture, raw);
    }
  }

  private static void publishAndReadRaw(EventBusFixture fixture, RawAmqp raw) throws Exception {
    String queue = raw.queue("it.order.placed.v1", Map.of());
    Instant now = Instant.parse("2026-11-25T10:15:30.123Z");
    EventBus bus =
        fixture
            .busBuilder()
            .source("/orders")
            .clock(Clock.fixed(now, ZoneOffset.UTC))
            .register(OrderPlaced.class)
            .build();

    PublishReceipt receipt =
        bus.publish(
                new OrderPlaced("o-1", new BigDecimal("9.90"), now, List.of("sku-1")),
                PublishOptions.none()
                    .withCorrelationId("order-o-1")
                    .withSubject("o-1")
                    .withExtension("tenant", "acme"))
            .toCompletableFuture()
            .join();

    GetResponse message = raw.awaitMessages(queue, 1, WAIT).get(0);
    AMQP.BasicProperties properties = message.getProps();
    assertThat(message.getEnvelope().getExchange()).isEqualTo(fixture.exchange());
    assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("it.order.placed.v1");
    assertThat(properties.getContentType()).isEqualTo("application/json");
    assertThat(properties.getDeliveryMode()).isEqualTo(2);
    assertThat(properties.getMessageId()).isEqualTo(receipt.eventId());
    assertThat(properties.getType()).isEqualTo("it.order.placed.v1");
    assertThat(properties.getAppId()).isEqualTo("/orders");
    assertThat(properties.getCorrelationId()).isEqualTo("order-o-1");
    assertThat(properties.getTimestamp().toInstant())
        .isEqualTo(Instant.parse("2026-11-25T10:15:30Z"));
    assertThat(properties.getHeaders())
        .extractingByKeys(
            "cloudEvents:specversion",
            "cloudEvents:id",
            "cloudEvents:source",
            "cloudEvents:type",
            "cloudEvents:time",
            "cloudEvents:subject",
            "cloudEvents:correlationid",
            "cloudEvents:tenant")
        .map(String::valueOf)
        .containsExactly(
            "1.0",
            receipt.eventId(),
            "/orders",
            "it.order.placed.v1",
            "2026-11-25T10:15:30.123Z",
            "o-1",
            "order-o-1",
            "acme");
    assertThat(new String(message.getBody(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"orderId\":\"o-1\",\"total\":9.90,\"placedAt\":\"2026-11-25T10:15:30.123Z\","
                + "\"items\":[\"sku-1\"]}");
  }

  @Test
  void aMessageBuiltByHandWithTheRawClientIsHandled(EventBusFixture fixture) throws Exception {
    Accepting handBuilt = new Accepting();
    fixture.busBuilder().subscribe("hand-built", handBuilt).build();
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      publishByHand(raw);
    }

    fixture.recorder().awaitHandled("hand-built", PaymentCompleted.class, 2, WAIT);
    assertThat(handBuilt.events)
        .containsExactly(new PaymentCompleted("o-9", 500), new PaymentCompleted("o-10", 700));
    List<EventContext> contexts = handBuilt.contexts;
    assertThat(contexts.get(0).metadata().id()).isEqualTo("from-python-1");
    assertThat(contexts.get(0).metadata().time()).isEqualTo(Instant.parse("2026-11-25T10:15:30Z"));
    assertThat(contexts.get(1).metadata().source()).isEqualTo("urn:billing-go");
  }

  /** Two messages as a Python and a Go producer would write them (both header prefixes). */
  private static void publishByHand(RawAmqp raw) throws Exception {
    raw.publish(
        "it.payment.completed.v1",
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .headers(
                Map.of(
                    "cloudEvents:specversion", "1.0",
                    "cloudEvents:id", "from-python-1",
                    "cloudEvents:source", "urn:billing",
                    "cloudEvents:type", "it.payment.completed.v1",
                    "cloudEvents:time", "2026-11-25T10:15:30Z"))
            .build(),
        "{\"orderId\":\"o-9\",\"amountCents\":500}".getBytes(StandardCharsets.UTF_8));
    raw.publish(
        "it.payment.completed.v1",
        new AMQP.BasicProperties.Builder()
            .contentType("application/json; charset=utf-8")
            .headers(
                Map.of(
                    "cloudEvents_specversion", "1.0",
                    "cloudEvents_id", "from-go-1",
                    "cloudEvents_source", "urn:billing-go",
                    "cloudEvents_type", "it.payment.completed.v1"))
            .build(),
        "{\"orderId\":\"o-10\",\"amountCents\":700,\"currency\":\"EUR\"}"
            .getBytes(StandardCharsets.UTF_8));
  }
}
