package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.Handled;
import io.eventbus.rabbitmq.TestEvents.OrderPlaced;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.Recorder;
import io.eventbus.rabbitmq.TestEvents.ShipmentDispatched;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoundTripIT {
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
  void severalEventTypesArriveTypedWithTheirMetadata() throws Exception {
    Recorder recorder = new Recorder();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(broker.transport().build())
                .source("/orders")
                .subscribe(broker.subscription("shipping"), recorder)
                .build());
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

    List<Handled> handled = recorder.await(3, WAIT);
    assertThat(handled)
        .extracting(Handled::event)
        .containsExactly(
            order, new PaymentCompleted("o-1", 1990), new ShipmentDispatched("o-1", "dhl"));
    Handled first = handled.get(0);
    assertThat(first.context().metadata().id()).isEqualTo(receipt.eventId());
    assertThat(first.context().metadata().type()).isEqualTo("it.order.placed.v1");
    assertThat(first.context().metadata().source()).isEqualTo("/orders");
    assertThat(first.context().metadata().correlationId()).isEqualTo("o-1");
    assertThat(first.context().metadata().subject()).isEqualTo("o-1");
    assertThat(first.context().attempt()).isEqualTo(1);
    assertThat(first.context().redelivered()).isFalse();
  }

  @Test
  void everySubscriptionGetsItsOwnCopy() throws Exception {
    Recorder shipping = new Recorder();
    Recorder analytics = new Recorder();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(broker.transport().build())
                .subscribe(broker.subscription("shipping"), shipping)
                .subscribe(broker.subscription("analytics"), analytics)
                .build());

    for (int i = 0; i < 10; i++) {
      bus.publishAndWait(new PaymentCompleted("o-" + i, i));
    }

    assertThat(shipping.await(10, WAIT)).hasSize(10);
    assertThat(analytics.await(10, WAIT)).hasSize(10);
  }

  @Test
  void instancesOfOneSubscriptionShareTheWork() throws Exception {
    String subscription = broker.subscription("points");
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    SubscriptionOptions options = SubscriptionOptions.builder(subscription).prefetch(5).build();
    EventBus one =
        broker.track(
            EventBus.builder()
                .transport(broker.transport().build())
                .subscribe(options, Handlers.scan(first))
                .build());
    broker.track(
        EventBus.builder()
            .transport(broker.transport().build())
            .subscribe(options, Handlers.scan(second))
            .build());

    int count = 200;
    CompletableFuture<?>[] publishes = new CompletableFuture<?>[count];
    for (int i = 0; i < count; i++) {
      publishes[i] = one.publish(new PaymentCompleted("o-" + i, i)).toCompletableFuture();
    }
    CompletableFuture.allOf(publishes).get(10, TimeUnit.SECONDS);

    Set<String> ids = new HashSet<>();
    int firstCount = 0;
    int total = 0;
    long until = System.nanoTime() + WAIT.toNanos();
    while (total < count && System.nanoTime() < until) {
      Handled handled = first.handled.poll(5, TimeUnit.MILLISECONDS);
      if (handled != null) {
        firstCount++;
      } else {
        handled = second.handled.poll(5, TimeUnit.MILLISECONDS);
      }
      if (handled != null) {
        total++;
        ids.add(handled.context().metadata().id());
      }
    }
    assertThat(total).isEqualTo(count);
    assertThat(ids).hasSize(count);
    assertThat(firstCount).isBetween(1, count - 1);
    assertThat(first.handled.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(second.handled.poll(1, TimeUnit.MILLISECONDS)).isNull();
  }
}
