package io.eventbus.samples.orders.events;

import io.eventbus.EventType;
import java.math.BigDecimal;
import java.util.List;

/** A customer placed an order. */
@EventType("order.placed.v1")
public record OrderPlaced(
    String orderId, String customerEmail, List<String> items, BigDecimal total) {}
