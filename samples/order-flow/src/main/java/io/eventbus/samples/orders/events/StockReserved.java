package io.eventbus.samples.orders.events;

import io.eventbus.EventType;

/**
 * The inventory service's reply: whether the items are reserved; a fallback answers "deferred"
 * (reserved later, when the inventory service is back).
 */
@EventType("stock.reserved.v1")
public record StockReserved(String orderId, boolean reserved, String note) {}
