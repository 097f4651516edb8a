package io.eventbus.rabbitmq;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.internal.SettingChecks;
import io.eventbus.spi.Partitions;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The names and kinds of what the transport declares on the broker. An immutable value, validated
 * when it is made; start from {@link #defaults()} or {@link #builder()}, derive with {@link
 * #toBuilder()} or a {@code with*} copy.
 *
 * <pre>{@code
 * RabbitTopology topology = RabbitTopology.builder().exchange("orders").partitions(8).build();
 * }</pre>
 *
 * <ul>
 *   <li>one durable topic exchange, {@code eventbus} by default, where every event is published
 *       with its type name as the routing key;
 *   <li>per subscription a durable queue named after it, of {@link #queueType()} (quorum by
 *       default), bound to the type names its handlers take;
 *   <li>per subscription a dead-letter queue named {@code <subscription>.dlq} (see {@link
 *       #deadLetterSuffix()}), declared before the queue that feeds it;
 *   <li>per subscription and redelivery delay a retry queue {@code <subscription>.retry.<millis>}
 *       whose messages expire after the delay into the subscription's queue;
 *   <li>for a partitioned subscription, instead of its queue: a headers exchange {@code
 *       <subscription>.partitions} bound to the bus's exchange by type, {@link #partitions()}
 *       queues {@code <subscription>.p<k>} with a single active consumer each, bound by the {@value
 *       #PARTITION_HEADER} header, and a fanout exchange {@code <subscription>.unkeyed} (the
 *       alternate exchange) that sends messages without that header to partition 0.
 * </ul>
 *
 * <p>The partition count is bus-wide: publishers compute a message's partition from it, so every
 * service on a bus must use the same value, and changing it needs new partitioned subscriptions.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; the {@link Builder} is not.
 *
 * <h2>Failures</h2>
 *
 * A value out of range throws {@link EventBusConfigurationException} naming the setting, when the
 * value is made ({@link Builder#build()}, a {@code with*} copy or the constructor); a null throws
 * {@link NullPointerException} naming it.
 *
 * @param exchange the topic exchange's name: not empty, not starting with {@code amq.}
 * @param queueType the type of subscription and dead-letter queues
 * @param deadLetterSuffix appended to a subscription's name to name its dead-letter queue (not
 *     empty)
 * @param deliveryLimit for quorum queues, how often the broker delivers a message before it parks
 *     it in the dead-letter queue by itself: the last line of defence against a message that kills
 *     its consumer (RabbitMQ 3.10 has no limit unless one is set); at least 1
 * @param partitions how many partition queues a partitioned subscription has (1 to 256)
 */
public record RabbitTopology(
    String exchange,
    QueueType queueType,
    String deadLetterSuffix,
    int deliveryLimit,
    int partitions) {
  /** The header that carries a keyed message's partition number, as a decimal string. */
  public static final String PARTITION_HEADER = "eventbus-partition";

  private static final RabbitTopology DEFAULTS = new Builder().build();

  /** Validates the values (see "Failures"). */
  public RabbitTopology {
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(queueType, "queueType");
    Objects.requireNonNull(deadLetterSuffix, "deadLetterSuffix");
    if (exchange.isEmpty() || exchange.startsWith("amq.")) {
      throw new EventBusConfigurationException(
          "RabbitTopology.exchange must be a non-empty name not starting with 'amq.', was '"
              + exchange
              + "'");
    }
    if (deadLetterSuffix.isEmpty()) {
      throw new EventBusConfigurationException("RabbitTopology.deadLetterSuffix must not be empty");
    }
    SettingChecks.atLeast(deliveryLimit, 1, "RabbitTopology.deliveryLimit");
    SettingChecks.between(partitions, 1, 256, "RabbitTopology.partitions");
  }

  /**
   * Exchange {@code eventbus}, quorum queues, suffix {@code .dlq}, delivery limit 20, 4 partitions.
   */
  public static RabbitTopology defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this topology. */
  public Builder toBuilder() {
    return new Builder()
        .exchange(exchange)
        .queueType(queueType)
        .deadLetterSuffix(deadLetterSuffix)
        .deliveryLimit(deliveryLimit)
        .partitions(partitions);
  }

  /** A copy with another exchange name. */
  public RabbitTopology withExchange(String exchange) {
    return toBuilder().exchange(exchange).build();
  }

  /** A copy with another queue type. */
  public RabbitTopology withQueueType(QueueType queueType) {
    return toBuilder().queueType(queueType).build();
  }

  /** A copy with another dead-letter queue suffix. */
  public RabbitTopology withDeadLetterSuffix(String deadLetterSuffix) {
    return toBuilder().deadLetterSuffix(deadLetterSuffix).build();
  }

  /** A copy with another delivery limit. */
  public RabbitTopology withDeliveryLimit(int deliveryLimit) {
    return toBuilder().deliveryLimit(deliveryLimit).build();
  }

  /** A copy with another partition count. */
  public RabbitTopology withPartitions(int partitions) {
    return toBuilder().partitions(partitions).build();
  }

  /**
   * Every queue the transport declares for {@code spec}: its dead-letter queue, its queue (or its
   * partition queues) and its retry queues. For tools that remove a subscription for good.
   */
  public List<String> queuesOf(SubscriptionSpec spec) {
    List<String> queues = new ArrayList<>();
    queues.add(deadLetterQueue(spec.name()));
    if (spec.ordering() == SubscriptionOptions.Ordering.PARTITIONED) {
      for (int k = 0; k < partitions; k++) {
        queues.add(partitionQueue(spec.name(), k));
      }
    } else {
      queues.add(spec.name());
    }
    for (Duration delay : spec.redeliveryDelays()) {
      queues.add(retryQueue(spec.name(), delay));
    }
    return queues;
  }

  /**
   * The exchanges the transport declares for {@code spec} besides the bus's: a partitioned one's
   * two.
   */
  public List<String> exchangesOf(SubscriptionSpec spec) {
    return spec.ordering() == SubscriptionOptions.Ordering.PARTITIONED
        ? List.of(partitionExchange(spec.name()), unkeyedExchange(spec.name()))
        : List.of();
  }

  /**
   * The durable direct exchange requests are published to, with their type name as the routing key:
   * {@code <exchange>.requests}. Separate from the events' exchange, so that a request can only
   * reach a responder's queue, never an event subscription's.
   */
  public String requestExchange() {
    return exchange + ".requests";
  }

  /**
   * The name of the request queue of the responders named {@code subscription}: {@code
   * <subscription>.requests}, a classic, non-durable, auto-delete queue shared by the responders'
   * instances.
   */
  public String requestQueue(String subscription) {
    return subscription + ".requests";
  }

  /** The name of {@code subscription}'s dead-letter queue. */
  public String deadLetterQueue(String subscription) {
    return subscription + deadLetterSuffix;
  }

  /** The name of {@code subscription}'s retry queue for {@code delay}. */
  public String retryQueue(String subscription, Duration delay) {
    return subscription + ".retry." + delay.toMillis();
  }

  /** The name of {@code subscription}'s queue for {@code partition}. */
  public String partitionQueue(String subscription, int partition) {
    return subscription + ".p" + partition;
  }

  /** The name of a partitioned subscription's headers exchange. */
  public String partitionExchange(String subscription) {
    return subscription + ".partitions";
  }

  /** The name of a partitioned subscription's alternate exchange, for unkeyed messages. */
  public String unkeyedExchange(String subscription) {
    return subscription + ".unkeyed";
  }

  /**
   * The partition of {@code key} among {@link #partitions()}: {@link Partitions#of(String, int)},
   * the CRC-32 of its UTF-8 bytes modulo the count.
   */
  public int partitionOf(String key) {
    return Partitions.of(key, partitions);
  }

  /**
   * Collects a topology's names and kinds; {@link #build()} validates them and makes the value. Not
   * thread-safe.
   */
  public static final class Builder {
    private String exchange = "eventbus";
    private QueueType queueType = QueueType.QUORUM;
    private String deadLetterSuffix = ".dlq";
    private int deliveryLimit = 20;
    private int partitions = Partitions.DEFAULT_COUNT;

    private Builder() {}

    /** See {@link RabbitTopology#exchange()} (default {@code eventbus}). */
    public Builder exchange(String exchange) {
      this.exchange = Objects.requireNonNull(exchange, "exchange");
      return this;
    }

    /** See {@link RabbitTopology#queueType()} (default {@link QueueType#QUORUM}). */
    public Builder queueType(QueueType queueType) {
      this.queueType = Objects.requireNonNull(queueType, "queueType");
      return this;
    }

    /** See {@link RabbitTopology#deadLetterSuffix()} (default {@code .dlq}). */
    public Builder deadLetterSuffix(String deadLetterSuffix) {
      this.deadLetterSuffix = Objects.requireNonNull(deadLetterSuffix, "deadLetterSuffix");
      return this;
    }

    /** See {@link RabbitTopology#deliveryLimit()} (default 20). */
    public Builder deliveryLimit(int deliveryLimit) {
      this.deliveryLimit = deliveryLimit;
      return this;
    }

    /** See {@link RabbitTopology#partitions()} (default 4). */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /**
     * The validated topology.
     *
     * @throws EventBusConfigurationException naming the first setting out of range
     */
    public RabbitTopology build() {
      return new RabbitTopology(exchange, queueType, deadLetterSuffix, deliveryLimit, partitions);
    }
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
