package io.eventbus.samples.orders.events;

import io.eventbus.EventType;

/**
 * The customer service's reply: whether the customer may order, and whether that was verified (a
 * fallback answers unverified).
 */
@EventType("customer.checked.v1")
public record CustomerChecked(String customerEmail, boolean allowed, boolean verified) {}
