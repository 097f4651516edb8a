package io.eventbus.benchmarks;

import io.eventbus.EventType;
import java.math.BigDecimal;
import java.util.List;

/**
 * The latency and soak benchmarks' event: about 200 bytes of JSON carrying when it should have been
 * sent ({@code intendedNanos}, the fixed-rate schedule) and when it was sent ({@code sentNanos}),
 * both {@link System#nanoTime()} of the one JVM that publishes and consumes.
 */
@EventType("bench.timed.v1")
public record BenchTimedEvent(
    long intendedNanos,
    long sentNanos,
    String orderId,
    String customerEmail,
    List<String> items,
    BigDecimal total) {

  static final String TYPE = "bench.timed.v1";

  static BenchTimedEvent number(long i, long intendedNanos, long sentNanos) {
    return new BenchTimedEvent(
        intendedNanos,
        sentNanos,
        "order-" + i,
        "customer-" + (i % 1000) + "@example.com",
        List.of("sku-" + (i % 97), "sku-" + (i % 89), "gift-wrap", "express-delivery"),
        new BigDecimal("129.90"));
  }
}
