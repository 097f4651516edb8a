package io.eventbus.samples.orders.spring;

import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.samples.orders.spring.events.OrderPlaced;
import io.eventbus.samples.orders.spring.events.PaymentCompleted;
import io.eventbus.samples.orders.spring.events.ShipmentDispatched;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.EventSubscription.Ordering;
import org.springframework.stereotype.Component;

/**
 * The shipping service's handlers: a Spring bean like any other, given its collaborators by
 * constructor injection, subscribed by the starter when the application starts.
 *
 * <p>It needs an order's {@link OrderPlaced} before its {@link PaymentCompleted}, so the
 * subscription is partitioned by order id (the events' {@code @PartitionKey}); a short redelivery
 * schedule keeps the demo quick. An order without items is refused with {@link
 * InvalidOrderException}, which is {@code NonRetryable}: it is parked at once.
 */
@Component
@EventSubscription(
    value = "${order-flow.namespace}.shipping",
    ordering = Ordering.PARTITIONED,
    redeliveryDelays = {"500ms", "2s"})
public class ShippingHandlers {
  private final EventPublisher publisher;
  private final Shipments shipments;

  public ShippingHandlers(EventPublisher publisher, Shipments shipments) {
    this.publisher = publisher;
    this.shipments = shipments;
  }

  @EventHandler
  void on(OrderPlaced order) {
    if (order.items().isEmpty()) {
      shipments.rejected(order.orderId());
      throw new InvalidOrderException("order " + order.orderId() + " has no items to ship");
    }
    shipments.placed(order);
  }

  @EventHandler
  void on(PaymentCompleted payment) {
    String orderId = payment.orderId();
    if (!shipments.needsShipment(orderId)) {
      return; // delivery is at least once: a redelivered payment ships nothing twice
    }
    ShipmentDispatched shipment =
        new ShipmentDispatched(orderId, "DHL", "JD" + Integer.toUnsignedString(orderId.hashCode()));
    // Waiting for the confirm before returning acknowledges the payment only once the shipment
    // event is safe with the broker: a crash in between redelivers the payment.
    publisher.publishAndWait(shipment);
    shipments.dispatched(shipment);
  }
}
