package com.example.inventory;

import io.eventbus.EventType;

/** Published by the order service when a customer places an order. */
@EventType("order.placed.v1")
public record OrderPlaced(String orderId, String sku, int quantity) {}
