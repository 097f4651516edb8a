package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.rabbitmq.TestEvents.Handled;
import io.eventbus.rabbitmq.TestEvents.OrderPlaced;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.Recorder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The promises of docs/wire-format.md, checked with the raw amqp-client on both sides. */
class WireFormatIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private TestBroker broker;

  @BeforeEach
  void openBroker() throws Exception {
    broker = TestBroker.open();
  }

  @AfterEach
  void closeBroker() throws Exception {
    broker.close();
  }

  @Test
  void aPublishedEventCarriesEveryPromisedHeaderAndProperty() throws Exception {
    Channel raw = broker.rawChannel();
    String queue = broker.rawQueue("raw-reader");
    raw.queueDeclare(queue, true, false, false, null);
    raw.exchangeDeclare(broker.exchange, "topic", true);
    raw.queueBind(queue, broker.exchange, "it.order.placed.v1");
    Instant now = Instant.parse("2026-11-25T10:15:30.123Z");
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(broker.transport().build())
                .source("/orders")
                .clock(Clock.fixed(now, ZoneOffset.UTC))
                .register(OrderPlaced.class)
                .build());

    PublishReceipt receipt =
        bus.publish(
                new OrderPlaced("o-1", new BigDecimal("9.90"), now, List.of("sku-1")),
                PublishOptions.none()
                    .withCorrelationId("order-o-1")
                    .withSubject("o-1")
                    .withExtension("tenant", "acme"))
            .toCompletableFuture()
            .join();

    GetResponse message = broker.awaitMessages(queue, 1, WAIT).get(0);
    AMQP.BasicProperties properties = message.getProps();
    assertThat(message.getEnvelope().getExchange()).isEqualTo(broker.exchange);
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
  void aMessageBuiltByHandWithTheRawClientIsHandled() throws Exception {
    Recorder recorder = new Recorder();
    broker.track(
        EventBus.builder()
            .transport(broker.transport().build())
            .subscribe(broker.subscription("hand-built"), recorder)
            .build());
    Channel raw = broker.rawChannel();

    raw.basicPublish(
        broker.exchange,
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
    raw.basicPublish(
        broker.exchange,
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

    List<Handled> handled = recorder.await(2, WAIT);
    assertThat(handled)
        .extracting(Handled::event)
        .containsExactly(new PaymentCompleted("o-9", 500), new PaymentCompleted("o-10", 700));
    assertThat(handled.get(0).context().metadata().id()).isEqualTo("from-python-1");
    assertThat(handled.get(0).context().metadata().time())
        .isEqualTo(Instant.parse("2026-11-25T10:15:30Z"));
    assertThat(handled.get(1).context().metadata().source()).isEqualTo("urn:billing-go");
  }
}
