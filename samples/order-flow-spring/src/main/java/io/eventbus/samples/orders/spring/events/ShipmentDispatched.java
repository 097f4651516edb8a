package io.eventbus.samples.orders.spring.events;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;

/** The order left the warehouse. */
@EventType("shipment.dispatched.v1")
public record ShipmentDispatched(
    @PartitionKey String orderId, String carrier, String trackingCode) {}
