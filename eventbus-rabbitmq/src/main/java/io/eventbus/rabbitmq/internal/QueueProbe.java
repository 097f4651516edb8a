package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.QueueStatus;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the broker for one queue's figures with a passive declare, on a channel of its own on the
 * consuming connection (which never publishes, so a resource alarm does not block it), closed
 * afterwards.
 */
public final class QueueProbe {
  private static final Logger log = LoggerFactory.getLogger(QueueProbe.class);

  private QueueProbe() {}

  /**
   * The figures of {@code queue}, or empty if the broker has no such queue.
   *
   * @throws EventBusException if the connection is recovering or the broker cannot be asked
   */
  public static Optional<QueueStatus> status(ConnectionSupervisor connections, String queue) {
    Connection connection = connections.connection();
    if (connection == null) {
      throw new EventBusException(
          "Queue " + queue + " cannot be read: the consuming connection is recovering");
    }
    Channel channel;
    try {
      channel = connection.createChannel();
    } catch (IOException | RuntimeException e) {
      throw new EventBusException(
          "Queue " + queue + " cannot be read: " + Exceptions.describe(e), e);
    }
    try {
      AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
      return Optional.of(new QueueStatus(queue, ok.getMessageCount(), ok.getConsumerCount()));
    } catch (IOException | RuntimeException e) {
      if (Exceptions.notFound(e)) {
        return Optional.empty();
      }
      throw new EventBusException(
          "Queue " + queue + " cannot be read: " + Exceptions.describe(e), e);
    } finally {
      try {
        if (channel.isOpen()) {
          channel.close();
        }
      } catch (IOException | TimeoutException | RuntimeException e) {
        log.debug("Probe channel did not close cleanly: {}", Exceptions.describe(e));
      }
    }
  }
}
