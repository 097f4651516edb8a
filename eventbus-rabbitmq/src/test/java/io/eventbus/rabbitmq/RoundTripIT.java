package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.Accepting;
import io.eventbus.rabbitmq.TestEvents.OrderPlaced;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.ShipmentDispatched;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.RecordedDelivery;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@EventBusTest(transport = TransportKind.BROKER)
class RoundTripIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void severalEventTypesArriveTypedWithTheirMetadata(EventBusFixture fixture) throws Exception {
    Accepting shipping = new Accepting();
    EventBus bus = fixture.busBuilder().source("/orders").subscribe("shipping", shipping).build();
    OrderPlaced order =
        new OrderPlaced(
            "o-1",
            new BigDecimal("19.90"),
            Instant.now().truncatedTo(ChronoUnit.MICROS),
            List.of("sku-1", "sku-2"));

    PublishReceipt receipt =
        bus.publish(order, PublishOptions.none().withCorrelationId("o-1").withSubject("o-1"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    bus.publishAndWait(new PaymentCompleted("o-1", 1990));
    bus.publishAndWait(new ShipmentDispatched("o-1", "dhl"));

    fixture.recorder().awaitDeliveries(handledBy("shipping"), "handled events", 3, WAIT);
    assertThat(shipping.events)
        .containsExactly(
            order, new PaymentCompleted("o-1", 1990), new ShipmentDispatched("o-1", "dhl"));
    EventContext first = shipping.contexts.get(0);
    assertThat(first.metadata().id()).isEqualTo(receipt.eventId());
    assertThat(first.metadata().type()).isEqualTo("it.order.placed.v1");
    assertThat(first.metadata().source()).isEqualTo("/orders");
    assertThat(first.metadata().correlationId()).isEqualTo("o-1");
    assertThat(first.metadata().subject()).isEqualTo("o-1");
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.redelivered()).isFalse();
  }

  @Test
  void everySubscriptionGetsItsOwnCopy(EventBusFixture fixture) {
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe("shipping", new Accepting())
            .subscribe("analytics", new Accepting())
            .build();

    for (int i = 0; i < 10; i++) {
      bus.publishAndWait(new PaymentCompleted("o-" + i, i));
    }

    EventRecorder recorder = fixture.recorder();
    assertThat(recorder.awaitHandled("shipping", PaymentCompleted.class, 10, WAIT)).hasSize(10);
    assertThat(recorder.awaitHandled("analytics", PaymentCompleted.class, 10, WAIT)).hasSize(10);
  }

  @Test
  void instancesOfOneSubscriptionShareTheWork(EventBusFixture fixture) throws Exception {
    Accepting first = new Accepting();
    Accepting second = new Accepting();
    SubscriptionOptions options = SubscriptionOptions.builder("points").prefetch(5).build();
    EventBus one = fixture.busBuilder().subscribe(options, Handlers.scan(first)).build();
    fixture.busBuilder().subscribe(options, Handlers.scan(second)).build();

    int count = 200;
    CompletableFuture<?>[] publishes = new CompletableFuture<?>[count];
    for (int i = 0; i < count; i++) {
      publishes[i] = one.publish(new PaymentCompleted("o-" + i, i)).toCompletableFuture();
    }
    CompletableFuture.allOf(publishes).get(10, TimeUnit.SECONDS);

    List<RecordedDelivery> handled =
        fixture.recorder().awaitDeliveries(handledBy("points"), "handled events", count, WAIT);
    assertThat(handled).extracting(RecordedDelivery::eventId).doesNotHaveDuplicates();
    assertThat(first.events.size() + second.events.size()).isEqualTo(count);
    assertThat(first.events.size()).isBetween(1, count - 1);
    assertThatThrownBy(
            () ->
                fixture
                    .recorder()
                    .awaitDeliveries(
                        handledBy("points"), "handled events", count + 1, Duration.ofMillis(300)))
        .as("no event is handled twice")
        .isInstanceOf(AssertionError.class);
  }

  private static java.util.function.Predicate<RecordedDelivery> handledBy(String subscription) {
    return d ->
        d.subscription().equals(subscription) && d.outcome() == RecordedDelivery.Outcome.HANDLED;
  }
}
