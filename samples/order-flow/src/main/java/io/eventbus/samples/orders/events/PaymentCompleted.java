package io.eventbus.samples.orders.events;

import io.eventbus.EventType;
import java.math.BigDecimal;

/** The order's payment went through. */
@EventType("payment.completed.v1")
public record PaymentCompleted(String orderId, BigDecimal amount) {}
