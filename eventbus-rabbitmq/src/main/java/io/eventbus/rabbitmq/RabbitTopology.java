package io.eventbus.rabbitmq;

import java.util.Objects;

/**
 * The names and kinds of what the transport declares on the broker. Immutable; start from {@link
 * #defaults()} and derive with the {@code with*} methods.
 *
 * <ul>
 *   <li>one durable topic exchange, {@code eventbus} by default, where every event is published
 *       with its type name as the routing key;
 *   <li>per subscription a durable queue named after it, of {@link #queueType()} (quorum by
 *       default), bound to the type names its handlers take;
 *   <li>per subscription a dead-letter queue named {@code <subscription>.dlq} (see {@link
 *       #deadLetterSuffix()}), declared before the queue that feeds it.
 * </ul>
 *
 * @param exchange the topic exchange's name
 * @param queueType the type of subscription and dead-letter queues
 * @param deadLetterSuffix appended to a subscription's name to name its dead-letter queue
 * @param deliveryLimit for quorum queues, how often the broker delivers a message before it parks
 *     it in the dead-letter queue by itself: the last line of defence against a message that kills
 *     its consumer (RabbitMQ 3.10 has no limit unless one is set)
 */
public record RabbitTopology(
    String exchange, QueueType queueType, String deadLetterSuffix, int deliveryLimit) {
  private static final RabbitTopology DEFAULTS =
      new RabbitTopology("eventbus", QueueType.QUORUM, ".dlq", 20);

  /** Validates the values. */
  public RabbitTopology {
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(queueType, "queueType");
    Objects.requireNonNull(deadLetterSuffix, "deadLetterSuffix");
    if (exchange.isEmpty() || exchange.startsWith("amq.")) {
      throw new IllegalArgumentException(
          "exchange must be a non-empty name not starting with 'amq.', was '" + exchange + "'");
    }
    if (deadLetterSuffix.isEmpty()) {
      throw new IllegalArgumentException("deadLetterSuffix must not be empty");
    }
    if (deliveryLimit < 1) {
      throw new IllegalArgumentException("deliveryLimit must be positive, was " + deliveryLimit);
    }
  }

  /** Exchange {@code eventbus}, quorum queues, suffix {@code .dlq}, delivery limit 20. */
  public static RabbitTopology defaults() {
    return DEFAULTS;
  }

  /** A copy with another exchange name. */
  public RabbitTopology withExchange(String exchange) {
    return new RabbitTopology(exchange, queueType, deadLetterSuffix, deliveryLimit);
  }

  /** A copy with another queue type. */
  public RabbitTopology withQueueType(QueueType queueType) {
    return new RabbitTopology(exchange, queueType, deadLetterSuffix, deliveryLimit);
  }

  /** A copy with another dead-letter queue suffix. */
  public RabbitTopology withDeadLetterSuffix(String deadLetterSuffix) {
    return new RabbitTopology(exchange, queueType, deadLetterSuffix, deliveryLimit);
  }

  /** A copy with another delivery limit. */
  public RabbitTopology withDeliveryLimit(int deliveryLimit) {
    return new RabbitTopology(exchange, queueType, deadLetterSuffix, deliveryLimit);
  }

  /** The name of {@code subscription}'s dead-letter queue. */
  public String deadLetterQueue(String subscription) {
    return subscription + deadLetterSuffix;
  }

  /** The kinds of queue the transport can declare. */
  public enum QueueType {
    /** Replicated, durable (Raft-based): the default, and what a cluster needs to lose nothing. */
    QUORUM("quorum"),
    /** Classic durable queues, for a single node where replication is not wanted. */
    CLASSIC("classic");

    private final String argument;

    QueueType(String argument) {
      this.argument = argument;
    }

    /** The value of the {@code x-queue-type} argument. */
    public String argument() {
      return argument;
    }
  }
}
