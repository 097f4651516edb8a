package com.example.inventory;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.PublishOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Reserves stock for each placed order and publishes a follow-up event saying so. */
public class InventoryHandlers {
  private final Map<String, Integer> available;
  private final Map<String, StockReserved> reservations = new ConcurrentHashMap<>();

  public InventoryHandlers(Map<String, Integer> available) {
    this.available = new ConcurrentHashMap<>(available);
  }

  @EventHandler
  void on(OrderPlaced order, EventContext context) {
    // Delivery is at least once: an order delivered twice is reserved once.
    StockReserved reservation = reservations.computeIfAbsent(order.orderId(), id -> reserve(order));
    // The follow-up event, published by the bus that delivered the order. Waiting for the broker's
    // confirm means the order is acknowledged only once its follow-up is safe; if the publish
    // fails, so does the handler, and the order is retried. A retry publishes the same id again,
    // so that consumers can drop the copy.
    context
        .publisher()
        .publish(reservation, PublishOptions.none().withId("stock-" + order.orderId()))
        .toCompletableFuture()
        .join();
  }

  private StockReserved reserve(OrderPlaced order) {
    int left = available.merge(order.sku(), -order.quantity(), Integer::sum);
    if (left < 0) {
      available.merge(order.sku(), order.quantity(), Integer::sum);
      throw new OutOfStockException(
          "order " + order.orderId() + " wants " + order.quantity() + " of " + order.sku());
    }
    return new StockReserved(order.orderId(), order.sku(), order.quantity());
  }
}
