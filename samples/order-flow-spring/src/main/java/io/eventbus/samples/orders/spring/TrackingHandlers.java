package io.eventbus.samples.orders.spring;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.samples.orders.spring.events.ShipmentDispatched;
import io.eventbus.spring.boot.EventSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Follows dispatched shipments in a subscription of its own: it gets its own copy of every {@code
 * ShipmentDispatched}, and gives those events a queue to go to when this service runs alone.
 */
@Component
@EventSubscription("${order-flow.namespace}.tracking")
public class TrackingHandlers {
  private static final Logger log = LoggerFactory.getLogger(TrackingHandlers.class);

  @EventHandler
  void on(ShipmentDispatched shipment, EventContext context) {
    log.info(
        "tracking: order {} left with {} as {} (event {})",
        shipment.orderId(),
        shipment.carrier(),
        shipment.trackingCode(),
        context.metadata().id());
  }
}
