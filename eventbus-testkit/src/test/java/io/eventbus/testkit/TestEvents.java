package io.eventbus.testkit;

import io.eventbus.EventType;

/** Events shared by the testkit's tests. */
final class TestEvents {
  private TestEvents() {}

  static final String ORDER_PLACED = "tk.order.placed.v1";

  @EventType(ORDER_PLACED)
  record OrderPlaced(String orderId, int items) {}

  @EventType("tk.payment.completed.v1")
  record PaymentCompleted(String orderId, long amountCents) {}

  /** Jackson cannot serialize a bare {@code Object}: publishing this fails before sending. */
  @EventType("tk.unencodable.v1")
  record Unencodable(Object payload) {}

  /** Serializes (a getter) but cannot be deserialized (no creator Jackson can use). */
  @EventType("tk.undecodable.v1")
  static final class Undecodable {
    private final String orderId;

    Undecodable(String orderId, int unused) {
      this.orderId = orderId;
    }

    public String getOrderId() {
      return orderId;
    }
  }
}
