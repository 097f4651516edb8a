package io.eventbus.samples.orders.shipping;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.PublishOptions;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import io.eventbus.testkit.EventRecorder;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ShippingHandlersTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final EventRecorder recorder = EventRecorder.create();
  private final InMemoryTransport transport = InMemoryTransport.create();
  private EventBus bus;
  private ShippingHandlers shipping;

  @BeforeEach
  void startShipping() {
    bus =
        EventBus.builder()
            .transport(recorder.record(transport))
            .register(ShipmentDispatched.class)
            .build();
    shipping = new ShippingHandlers(bus);
    bus.subscribe(ShippingHandlers.options("shipping").build(), Handlers.scan(shipping));
    // Someone takes the shipments, as in the real flow.
    bus.subscribe(
        SubscriptionOptions.named("tracking"),
        Handlers.builder().on(ShipmentDispatched.class, (shipment, context) -> {}).build());
  }

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void dispatchesAPaidOrderExactlyOnceEvenWhenThePaymentArrivesTwice() {
    bus.publishAndWait(order("o-1", List.of("sku-1")));
    PublishOptions sameEvent = PublishOptions.none().withId("payment-of-o-1");
    bus.publish(new PaymentCompleted("o-1", BigDecimal.TEN), sameEvent)
        .toCompletableFuture()
        .join();
    bus.publish(new PaymentCompleted("o-1", BigDecimal.TEN), sameEvent)
        .toCompletableFuture()
        .join();

    recorder.awaitHandled("shipping", PaymentCompleted.class, 2, TIMEOUT);
    transport.awaitIdle(TIMEOUT);
    assertThat(recorder.published(ShipmentDispatched.class))
        .singleElement()
        .extracting(ShipmentDispatched::orderId)
        .isEqualTo("o-1");
    assertThat(shipping.dispatched("o-1")).isTrue();
  }

  @Test
  void parksAnOrderWithoutItemsWithItsReasonAndNeverShipsIt() {
    String poison = bus.publishAndWait(order("o-2", List.of())).eventId();
    bus.publishAndWait(new PaymentCompleted("o-2", BigDecimal.ONE));

    assertThat(recorder)
        .event(poison)
        .wasDeadLettered()
        .hasReason("handler-failed")
        .hasErrorType(InvalidOrderException.class)
        .hasErrorMessageContaining("o-2 has no items")
        .hasHeader("eventbus-attempts", "1");
    recorder.awaitHandled("shipping", PaymentCompleted.class, 1, TIMEOUT);
    transport.awaitIdle(TIMEOUT);
    assertThat(transport.deadLetters("shipping")).hasSize(1);
    assertThat(recorder.published(ShipmentDispatched.class)).isEmpty();
    assertThat(shipping.rejected("o-2")).isTrue();
  }

  @Test
  void seesEveryOrderPlacedBeforeItIsPaidWhileOrdersInterleave() {
    List<Object> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(order("o-" + i, List.of("sku-" + i)));
      events.add(new PaymentCompleted("o-" + i, BigDecimal.TEN));
    }
    bus.publishAll(events).toCompletableFuture().join();

    recorder.awaitHandled("shipping", PaymentCompleted.class, 50, TIMEOUT);
    assertThat(shipping.paidBeforePlaced()).isZero();
    assertThat(recorder.published(ShipmentDispatched.class)).hasSize(50);
  }

  private static OrderPlaced order(String orderId, List<String> items) {
    return new OrderPlaced(orderId, orderId + "@example.com", items, BigDecimal.TEN);
  }
}
