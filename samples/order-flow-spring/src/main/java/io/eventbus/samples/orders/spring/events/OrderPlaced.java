package io.eventbus.samples.orders.spring.events;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;
import java.math.BigDecimal;
import java.util.List;

/** A customer placed an order; partitioned by order id, so one order's events stay in order. */
@EventType("order.placed.v1")
public record OrderPlaced(
    @PartitionKey String orderId, String customerEmail, List<String> items, BigDecimal total) {}
