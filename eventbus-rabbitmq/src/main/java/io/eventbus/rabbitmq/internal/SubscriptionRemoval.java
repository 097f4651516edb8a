package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventBusException;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.QueueStatus;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.spi.SubscriptionSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Deletes what the topology declares for a subscription: its queue or partition queues, its
 * dead-letter queue, its retry queues and a partitioned one's two exchanges; first it checks that
 * no consumer reads any of them, and deletes nothing if one does. Each step runs on a channel of
 * its own on the consuming connection.
 */
public final class SubscriptionRemoval {

  private final RabbitTopology topology;
  private final ConnectionSupervisor consuming;

  public SubscriptionRemoval(RabbitTopology topology, ConnectionSupervisor consuming) {
    this.topology = topology;
    this.consuming = consuming;
  }

  /**
   * Deletes the queues and exchanges the topology declares for {@code options} (with {@code
   * anyOrdering}, for every ordering: a subscription's queue and its partition queues both) that
   * exist, and returns their names, queues first.
   *
   * @throws IllegalStateException naming the queue, if one of them has consumers; then nothing is
   *     deleted
   * @throws EventBusException if the broker cannot be asked or refuses a deletion
   */
  public List<String> delete(SubscriptionOptions options, boolean anyOrdering) {
    Set<String> queues = new LinkedHashSet<>();
    Set<String> exchanges = new LinkedHashSet<>();
    List<SubscriptionOptions.Ordering> orderings =
        anyOrdering ? List.of(SubscriptionOptions.Ordering.values()) : List.of(options.ordering());
    for (SubscriptionOptions.Ordering ordering : orderings) {
      SubscriptionSpec spec =
          new SubscriptionSpec(
              options.name(), Set.of(), 1, 1, options.redeliveryDelays(), ordering);
      queues.addAll(topology.queuesOf(spec));
      exchanges.addAll(topology.exchangesOf(spec));
    }
    List<String> existingQueues = new ArrayList<>();
    for (String queue : queues) {
      Optional<QueueStatus> status = QueueProbe.status(consuming, queue);
      if (status.isPresent() && status.get().consumers() > 0) {
        throw new IllegalStateException(
            "Subscription "
                + options.name()
                + " is running: queue "
                + queue
                + " has "
                + status.get().consumers()
                + " consumer(s). Close every instance of the subscription first; nothing was"
                + " deleted");
      }
      status.ifPresent(present -> existingQueues.add(queue));
    }
    List<String> deleted = new ArrayList<>();
    for (String queue : existingQueues) {
      run("delete queue " + queue, channel -> channel.queueDelete(queue));
      deleted.add(queue);
    }
    for (String exchange : exchanges) {
      if (exchangeExists(exchange)) {
        run("delete exchange " + exchange, channel -> channel.exchangeDelete(exchange));
        deleted.add(exchange);
      }
    }
    return List.copyOf(deleted);
  }

  private interface Step {
    void run(Channel channel) throws IOException;
  }

  private boolean exchangeExists(String exchange) {
    try {
      run("look up exchange " + exchange, channel -> channel.exchangeDeclarePassive(exchange));
      return true;
    } catch (EventBusException e) {
      if (Exceptions.notFound(e)) {
        return false;
      }
      throw e;
    }
  }

  private void run(String what, Step step) {
    Connection connection = consuming.connection();
    if (connection == null) {
      throw new EventBusException("Could not " + what + ": the consuming connection is recovering");
    }
    Channel channel = null;
    try {
      channel = connection.createChannel();
      step.run(channel);
    } catch (IOException | RuntimeException e) {
      throw new EventBusException("Could not " + what + ": " + Exceptions.describe(e), e);
    } finally {
      if (channel != null && channel.isOpen()) {
        try {
          channel.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
          // The channel closes with its connection at the latest.
        }
      }
    }
  }
}
