package io.eventbus.jdbc;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;

/** The events of this module's tests. */
final class TestEvents {
  private TestEvents() {}

  @EventType("test.jdbc.order-placed.v1")
  record OrderPlaced(@PartitionKey String orderId, int sequence) {}

  @EventType("test.jdbc.shipment-requested.v1")
  record ShipmentRequested(@PartitionKey String orderId) {}

  @EventType("test.jdbc.nobody-listens.v1")
  record NobodyListens(String note) {}
}
