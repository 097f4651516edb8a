package io.eventbus.samples.orders.shipping;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The shipping service: once an order is paid, it dispatches it and says so. */
public final class ShippingHandlers {
  private final EventPublisher publisher;
  // Delivery is at least once: remember what was dispatched so a redelivery ships nothing twice.
  private final Set<String> dispatched = ConcurrentHashMap.newKeySet();

  public ShippingHandlers(EventPublisher publisher) {
    this.publisher = publisher;
  }

  @EventHandler
  void on(PaymentCompleted payment, EventContext context) {
    if (!dispatched.add(payment.orderId())) {
      return;
    }
    ShipmentDispatched shipment =
        new ShipmentDispatched(
            payment.orderId(), "DHL", "JD" + Math.abs(payment.orderId().hashCode()));
    // Waiting for the confirm before returning means the payment is acknowledged only once the
    // shipment event is safe with the broker: a crash in between redelivers the payment.
    publisher.publishAndWait(shipment);
    System.out.printf(
        "  shipping      %s paid %s, dispatched with %s%n",
        payment.orderId(), payment.amount(), shipment.carrier());
  }
}
