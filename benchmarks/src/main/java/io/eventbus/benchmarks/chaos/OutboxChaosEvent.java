package io.eventbus.benchmarks.chaos;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;

/** The event the outbox chaos run stores; its id is chosen by the application process. */
@EventType("chaos.outbox.order-placed.v1")
public record OutboxChaosEvent(@PartitionKey String orderId, long sequence) {}
