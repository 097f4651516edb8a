package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.spi.SubscriptionSpec;
import java.io.IOException;
import java.util.HashMap;
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
   * Declares the subscription's dead-letter queue, then its queue (which dead-letters into it when
   * the delivery limit is reached), then one binding per type.
   */
  public void declareSubscription(Connection connection, SubscriptionSpec spec) {
    String queue = spec.name();
    String deadLetterQueue = topology.deadLetterQueue(queue);
    run(
        connection,
        "queues of subscription " + queue,
        channel -> {
          channel.queueDeclare(deadLetterQueue, true, false, false, queueArguments());
          Map<String, Object> arguments = queueArguments();
          arguments.put("x-dead-letter-exchange", "");
          arguments.put("x-dead-letter-routing-key", deadLetterQueue);
          if (topology.queueType() == RabbitTopology.QueueType.QUORUM) {
            arguments.put("x-delivery-limit", topology.deliveryLimit());
          }
          channel.queueDeclare(queue, true, false, false, arguments);
          for (String type : spec.eventTypes()) {
            channel.queueBind(queue, topology.exchange(), type);
          }
        });
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
