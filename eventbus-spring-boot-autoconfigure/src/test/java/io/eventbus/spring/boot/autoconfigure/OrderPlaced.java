package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventType;

@EventType("spring-test.order.placed.v1")
record OrderPlaced(String orderId, int items) {}
