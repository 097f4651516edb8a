package io.eventbus.samples.orders.events;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;
import java.math.BigDecimal;
import java.util.List;

/**
 * A customer placed an order.
 *
 * <p>The {@link PartitionKey} on {@code orderId} is what keeps one order's events in publish order
 * for a partitioned subscription (shipping); it travels as the {@code cloudEvents:partitionkey}
 * header and costs nothing to subscriptions that do not care about order.
 */
@EventType("order.placed.v1")
public record OrderPlaced(
    @PartitionKey String orderId, String customerEmail, List<String> items, BigDecimal total) {}
