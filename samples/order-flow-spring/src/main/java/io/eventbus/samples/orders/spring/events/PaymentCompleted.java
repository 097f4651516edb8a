package io.eventbus.samples.orders.spring.events;

import io.eventbus.EventType;
import io.eventbus.PartitionKey;
import java.math.BigDecimal;

/** The order's payment went through. Published after the order's {@link OrderPlaced}. */
@EventType("payment.completed.v1")
public record PaymentCompleted(@PartitionKey String orderId, BigDecimal amount) {}
