package io.eventbus.samples.orders.notification;

import io.eventbus.EventHandler;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import java.util.function.Consumer;

/** The notification service: tells customers about their orders. */
public final class NotificationHandlers {
  private final Consumer<String> onShipmentNotified;

  public NotificationHandlers(Consumer<String> onShipmentNotified) {
    this.onShipmentNotified = onShipmentNotified;
  }

  @EventHandler
  void on(OrderPlaced order) {
    System.out.printf(
        "  notification  %s confirmation mailed to %s%n", order.orderId(), order.customerEmail());
  }

  @EventHandler
  void on(ShipmentDispatched shipment) {
    System.out.printf(
        "  notification  %s tracking code %s sent%n", shipment.orderId(), shipment.trackingCode());
    onShipmentNotified.accept(shipment.orderId());
  }
}
