package io.eventbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the record component whose value orders an event type: events with equal keys are handled
 * in publish order by a {@linkplain SubscriptionOptions.Ordering#PARTITIONED partitioned}
 * subscription, while different keys are handled in parallel.
 *
 * <pre>{@code
 * @EventType("order.placed.v1")
 * public record OrderPlaced(@PartitionKey String orderId, BigDecimal total) {}
 * }</pre>
 *
 * <p>The key travels as the CloudEvents {@code partitionkey} extension ({@code
 * cloudEvents:partitionkey}); its text is the component's {@code String.valueOf}. At most one
 * component of a record may carry it; an event without one (or whose key is null) goes to partition
 * 0.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface PartitionKey {}
