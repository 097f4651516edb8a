package io.eventbus.samples.orders.events;

import io.eventbus.EventType;

/** The order left the warehouse. */
@EventType("shipment.dispatched.v1")
public record ShipmentDispatched(String orderId, String carrier, String trackingCode) {}
