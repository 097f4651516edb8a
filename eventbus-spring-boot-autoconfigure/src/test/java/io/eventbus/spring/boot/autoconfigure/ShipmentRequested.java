package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventType;

@EventType("spring-test.shipment.requested.v1")
record ShipmentRequested(String orderId) {}
