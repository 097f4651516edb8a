package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads how many messages are ready in a queue with a passive declare, on a channel of its own on
 * the consuming connection (which never publishes, so a resource alarm does not block it). Used by
 * the health thread only; a failed read (queue gone, connection lost) drops the channel and reports
 * the count as unknown.
 */
public final class QueueSampler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueSampler.class);

  private final ConnectionSupervisor supervisor;
  private @Nullable Channel channel;

  public QueueSampler(ConnectionSupervisor supervisor) {
    this.supervisor = supervisor;
  }

  /** The ready messages of {@code queue}, or -1 if they cannot be read now. */
  long ready(String queue) {
    try {
      Channel current = channel;
      if (current == null || !current.isOpen()) {
        Connection connection = supervisor.connection();
        if (connection == null) {
          return -1;
        }
        current = connection.createChannel();
        channel = current;
      }
      return current.queueDeclarePassive(queue).getMessageCount();
    } catch (IOException | ShutdownSignalException e) {
      log.debug("Could not read the depth of {}: {}", queue, Exceptions.describe(e));
      channel = null;
      return -1;
    }
  }

  @Override
  public void close() {
    Channel current = channel;
    channel = null;
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (IOException | TimeoutException | RuntimeException e) {
        log.debug("Health channel did not close cleanly: {}", Exceptions.describe(e));
      }
    }
  }
}
