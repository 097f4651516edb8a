package com.example.inventory;

import io.eventbus.EventType;

/** Published by this service once it has set stock aside for an order. */
@EventType("stock.reserved.v1")
public record StockReserved(String orderId, String sku, int quantity) {}
