package io.eventbus.samples.orders.inventory;

import io.eventbus.RequestHandler;
import io.eventbus.samples.orders.events.ReserveStock;
import io.eventbus.samples.orders.events.StockReserved;

/** The inventory service: answers {@link ReserveStock} requests; the demo always has stock. */
public final class InventoryResponders {
  @RequestHandler
  StockReserved reserve(ReserveStock request) {
    return new StockReserved(request.orderId(), true, "reserved");
  }
}
