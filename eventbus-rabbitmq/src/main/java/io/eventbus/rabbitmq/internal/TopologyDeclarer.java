package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventBusException;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.spi.SubscriptionSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Declares the exchange and a subscription's queues and bindings. Every declaration is idempotent,
 * and runs on a channel of its own, so that a refused declaration (for example a queue that exists
 * with other arguments) cannot close a channel that carries traffic.
 */
public final class TopologyDeclarer {
  private final RabbitTopology topology;

  public TopologyDeclarer(RabbitTopology topology) {
    this.topology = topology;
  }

  /** Declares the durable topic exchange. */
  public void declareExchange(Connection connection) {
    run(
        connection,
        "exchange " + topology.exchange(),
        channel -> channel.exchangeDeclare(topology.exchange(), "topic", true));
  }

  /**
   * Declares the subscription's dead-letter queue, then the queues it consumes (which dead-letter
   * into it when the delivery limit is reached) with their bindings, then one retry queue per
   * redelivery delay. A partitioned subscription gets its headers exchange (bound to the bus's
   * exchange by type, with the unkeyed exchange as its alternate) and one queue per partition.
   */
  public void declareSubscription(Connection connection, SubscriptionSpec spec) {
    run(
        connection,
        "queues of subscription " + spec.name(),
        channel -> declareSubscription(channel, spec));
  }

  /** {@link #declareSubscription(Connection, SubscriptionSpec)} on {@code channel}. */
  void declareSubscription(Channel channel, SubscriptionSpec spec) throws IOException {
    String queue = spec.name();
    String deadLetterQueue = topology.deadLetterQueue(queue);
    channel.queueDeclare(deadLetterQueue, true, false, false, queueArguments());
    String retryTarget;
    if (spec.ordering() == Ordering.PARTITIONED) {
      declarePartitions(channel, spec, deadLetterQueue);
      retryTarget = topology.partitionExchange(queue);
    } else {
      Map<String, Object> arguments = consumedQueueArguments(deadLetterQueue);
      if (spec.ordering() == Ordering.ORDERED) {
        arguments.put("x-single-active-consumer", true);
      }
      channel.queueDeclare(queue, true, false, false, arguments);
      for (String type : spec.eventTypes()) {
        channel.queueBind(queue, topology.exchange(), type);
      }
      retryTarget = "";
    }
    for (Duration delay : spec.redeliveryDelays()) {
      channel.queueDeclare(
          topology.retryQueue(queue, delay),
          true,
          false,
          false,
          retryQueueArguments(delay, retryTarget, queue));
    }
  }

  /**
   * Declares the durable direct request exchange ({@link RabbitTopology#requestExchange()}) on
   * {@code channel}.
   */
  public void declareRequestExchange(Channel channel) throws IOException {
    channel.exchangeDeclare(topology.requestExchange(), "direct", true);
  }

  /**
   * Declares the request exchange and the request queue of the responders {@code spec} (classic,
   * non-durable, auto-delete: it lives while responders consume it, so that a request for a type
   * nobody answers is unroutable at once, and requests, worthless after their deadline, are not
   * kept across a broker restart), bound by each of its types.
   */
  public void declareResponders(Connection connection, SubscriptionSpec spec) {
    run(
        connection,
        "request queue of " + spec.name(),
        channel -> {
          declareRequestExchange(channel);
          String queue = topology.requestQueue(spec.name());
          channel.queueDeclare(queue, false, false, true, Map.of("x-queue-type", "classic"));
          for (String type : spec.eventTypes()) {
            channel.queueBind(queue, topology.requestExchange(), type);
          }
        });
  }

  /** The queues a subscription's consumers read: its queue, or its partition queues. */
  public List<String> consumedQueues(SubscriptionSpec spec) {
    List<String> queues = new ArrayList<>();
    switch (spec.ordering()) {
      case PARTITIONED -> {
        for (int k = 0; k < topology.partitions(); k++) {
          queues.add(topology.partitionQueue(spec.name(), k));
        }
      }
      case ORDERED -> queues.add(spec.name());
      case NONE -> {
        for (int i = 0; i < spec.concurrency(); i++) {
          queues.add(spec.name());
        }
      }
    }
    return queues;
  }

  private void declarePartitions(Channel channel, SubscriptionSpec spec, String deadLetterQueue)
      throws IOException {
    String queue = spec.name();
    String partitions = topology.partitionExchange(queue);
    String unkeyed = topology.unkeyedExchange(queue);
    channel.exchangeDeclare(unkeyed, "fanout", true);
    channel.exchangeDeclare(
        partitions, "headers", true, false, Map.of("alternate-exchange", unkeyed));
    for (int k = 0; k < topology.partitions(); k++) {
      String partitionQueue = topology.partitionQueue(queue, k);
      Map<String, Object> arguments = consumedQueueArguments(deadLetterQueue);
      arguments.put("x-single-active-consumer", true);
      channel.queueDeclare(partitionQueue, true, false, false, arguments);
      channel.queueBind(
          partitionQueue,
          partitions,
          "",
          Map.of("x-match", "all", RabbitTopology.PARTITION_HEADER, Integer.toString(k)));
    }
    channel.queueBind(topology.partitionQueue(queue, 0), unkeyed, "");
    for (String type : spec.eventTypes()) {
      channel.exchangeBind(partitions, topology.exchange(), type);
    }
  }

  private Map<String, Object> consumedQueueArguments(String deadLetterQueue) {
    Map<String, Object> arguments = queueArguments();
    arguments.put("x-dead-letter-exchange", "");
    arguments.put("x-dead-letter-routing-key", deadLetterQueue);
    if (topology.queueType() == RabbitTopology.QueueType.QUORUM) {
      arguments.put("x-delivery-limit", topology.deliveryLimit());
    }
    return arguments;
  }

  /**
   * A retry queue: nobody consumes it; its messages expire after {@code delay} and are
   * dead-lettered to {@code target} (the default exchange with the subscription's queue as routing
   * key, or a partitioned subscription's headers exchange). Quorum retry queues dead-letter
   * at-least-once, which RabbitMQ 3.10 supports only with {@code reject-publish} overflow.
   */
  private Map<String, Object> retryQueueArguments(Duration delay, String target, String queue) {
    Map<String, Object> arguments = queueArguments();
    arguments.put("x-message-ttl", delay.toMillis());
    arguments.put("x-dead-letter-exchange", target);
    if (target.isEmpty()) {
      arguments.put("x-dead-letter-routing-key", queue);
    }
    if (topology.queueType() == RabbitTopology.QueueType.QUORUM) {
      arguments.put("x-dead-letter-strategy", "at-least-once");
      arguments.put("x-overflow", "reject-publish");
    }
    return arguments;
  }

  private Map<String, Object> queueArguments() {
    Map<String, Object> arguments = new HashMap<>();
    arguments.put("x-queue-type", topology.queueType().argument());
    return arguments;
  }

  private interface Declaration {
    void declare(Channel channel) throws IOException;
  }

  private static void run(Connection connection, String what, Declaration declaration) {
    try (Channel channel = connection.createChannel()) {
      declaration.declare(channel);
    } catch (IOException | TimeoutException | RuntimeException e) {
      throw new EventBusException("Could not declare " + what + ": " + Exceptions.describe(e), e);
    }
  }
}
