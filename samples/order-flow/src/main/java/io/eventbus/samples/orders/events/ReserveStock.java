package io.eventbus.samples.orders.events;

import io.eventbus.EventType;
import java.util.List;

/** A request to the inventory service: reserve these items for an order. Safe to repeat. */
@EventType("stock.reserve.v1")
public record ReserveStock(String orderId, List<String> items) {}
