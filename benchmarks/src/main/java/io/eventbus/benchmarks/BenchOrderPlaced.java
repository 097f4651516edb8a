package io.eventbus.benchmarks;

import io.eventbus.EventType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The benchmark's event: about 200 bytes of JSON, like a real order event. */
@EventType("bench.order.placed.v1")
public record BenchOrderPlaced(
    String orderId, String customerEmail, List<String> items, BigDecimal total, Instant placedAt) {

  static BenchOrderPlaced number(int i) {
    return new BenchOrderPlaced(
        "order-" + i,
        "customer-" + (i % 1000) + "@example.com",
        List.of(
            "sku-" + (i % 97),
            "sku-" + (i % 89),
            "sku-" + (i % 83),
            "gift-wrap",
            "express-delivery"),
        new BigDecimal("129.90"),
        Instant.parse("2026-11-25T10:15:30.123Z"));
  }
}
