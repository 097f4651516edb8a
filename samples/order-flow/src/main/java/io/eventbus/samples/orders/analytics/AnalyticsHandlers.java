package io.eventbus.samples.orders.analytics;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.SubscriptionOptions;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The analytics service: counts every event of the flow, per order and per type. */
public final class AnalyticsHandlers {
  private final Map<String, Set<String>> typesByOrder = new ConcurrentHashMap<>();

  /** Two events at a time: counting needs no order. */
  public static SubscriptionOptions.Builder options(String queue) {
    return SubscriptionOptions.builder(queue).concurrency(2);
  }

  @EventHandler
  void on(OrderPlaced order, EventContext context) {
    count(order.orderId(), context);
  }

  @EventHandler
  void on(PaymentCompleted payment, EventContext context) {
    count(payment.orderId(), context);
  }

  @EventHandler
  void on(ShipmentDispatched shipment, EventContext context) {
    count(shipment.orderId(), context);
  }

  // A set of type names per order: a redelivered event counts once.
  private void count(String orderId, EventContext context) {
    typesByOrder
        .computeIfAbsent(orderId, id -> ConcurrentHashMap.newKeySet())
        .add(context.metadata().type());
  }

  /** How many of the flow's event types were seen for {@code orderId}. */
  public int eventsSeen(String orderId) {
    return typesByOrder.getOrDefault(orderId, Set.of()).size();
  }
}
