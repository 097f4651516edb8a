package io.eventbus.benchmarks.chaos;

import io.eventbus.EventType;

/** The event the chaos runs publish; its id is chosen by the publisher so failures are counted. */
@EventType("chaos.order.placed.v1")
public record ChaosEvent(String orderId, long sequence) {}
