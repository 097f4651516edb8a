package io.eventbus.samples.orders.spring;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.samples.orders.spring.events.OrderPlaced;
import io.eventbus.samples.orders.spring.events.PaymentCompleted;
import io.eventbus.samples.orders.spring.events.ShipmentDispatched;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.RecordedDelivery;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * What the shipping service does, written once and run twice: in memory ({@link
 * ShippingInMemoryTest}) and on the broker ({@link ShippingIT}). The application context is the
 * real one; only the transport differs.
 */
abstract class ShippingBehaviour {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Autowired EventPublisher publisher;
  @Autowired EventRecorder recorder;
  @Autowired Shipments shipments;

  @Value("${order-flow.namespace}.shipping")
  String shipping;

  @Test
  void dispatchesAPaidOrderOnceEvenWhenThePaymentArrivesTwice() {
    String orderId = newOrderId();
    publisher.publishAndWait(order(orderId, List.of("sku-1")));
    PublishOptions sameEvent = PublishOptions.none().withId("payment-of-" + orderId);
    publisher.publish(new PaymentCompleted(orderId, BigDecimal.TEN), sameEvent);
    publisher.publish(new PaymentCompleted(orderId, BigDecimal.TEN), sameEvent);

    recorder.awaitDeliveries(
        delivery ->
            delivery.subscription().equals(shipping)
                && ("payment-of-" + orderId).equals(delivery.eventId())
                && delivery.outcome() == RecordedDelivery.Outcome.HANDLED,
        "handled payments of " + orderId,
        2,
        TIMEOUT);
    assertThat(recorder.published(ShipmentDispatched.class))
        .filteredOn(shipment -> shipment.orderId().equals(orderId))
        .singleElement()
        .extracting(ShipmentDispatched::carrier)
        .isEqualTo("DHL");
    assertThat(shipments.shipment(orderId)).isPresent();
  }

  @Test
  void parksAnOrderWithoutItemsWithItsReasonAndNeverShipsIt() {
    String orderId = newOrderId();
    String poison = publisher.publishAndWait(order(orderId, List.of())).eventId();
    publisher.publishAndWait(new PaymentCompleted(orderId, BigDecimal.ONE));

    assertThat(recorder)
        .event(poison)
        .wasDeadLettered()
        .hasReason("handler-failed")
        .hasErrorType(InvalidOrderException.class)
        .hasErrorMessageContaining(orderId + " has no items")
        .hasHeader("eventbus-attempts", "1");
    assertThat(shipments.isRejected(orderId)).isTrue();
    assertThat(shipments.shipment(orderId)).isEmpty();
  }

  private static String newOrderId() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static OrderPlaced order(String orderId, List<String> items) {
    return new OrderPlaced(orderId, orderId + "@example.com", items, BigDecimal.TEN);
  }
}
