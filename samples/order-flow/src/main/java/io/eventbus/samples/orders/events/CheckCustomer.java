package io.eventbus.samples.orders.events;

import io.eventbus.EventType;

/** A request to the customer service: may this customer order? */
@EventType("customer.check.v1")
public record CheckCustomer(String customerEmail) {}
