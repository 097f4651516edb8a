package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one dead-letter operation at a time per dead-letter queue, across processes: the holder
 * declares an exclusive queue {@code <dead-letter queue>.lock}, which the broker lets only one
 * connection own and deletes when that connection ends (a crashed operator leaves no stale lock).
 * Operations on the same connection, which the broker would let through, are kept apart by a set
 * held in this JVM.
 */
public final class DeadLetterLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterLock.class);
  private static final int RESOURCE_LOCKED = 405;
  private static final Map<Connection, Set<String>> HELD = new WeakHashMap<>();

  private final Connection connection;
  private final String name;
  private final Channel channel;

  private DeadLetterLock(Connection connection, String name, Channel channel) {
    this.connection = connection;
    this.name = name;
    this.channel = channel;
  }

  /** The lock queue's name for {@code deadLetterQueue}. */
  public static String lockQueue(String deadLetterQueue) {
    return deadLetterQueue + ".lock";
  }

  /**
   * Takes the lock of {@code deadLetterQueue} on {@code connection}.
   *
   * @throws Busy if another operation (in this JVM or on another connection) holds it
   * @throws IOException if the broker cannot be asked
   */
  public static DeadLetterLock acquire(Connection connection, String deadLetterQueue)
      throws IOException {
    String name = lockQueue(deadLetterQueue);
    synchronized (HELD) {
      if (!HELD.computeIfAbsent(connection, c -> new HashSet<>()).add(name)) {
        throw new Busy(name);
      }
    }
    Channel channel = null;
    try {
      channel = connection.createChannel();
      channel.queueDeclare(name, false, true, true, Map.of());
      return new DeadLetterLock(connection, name, channel);
    } catch (IOException | RuntimeException e) {
      release(connection, name);
      if (channel != null) {
        closeQuietly(channel);
      }
      if (lockedByAnother(e)) {
        throw new Busy(name);
      }
      throw e;
    }
  }

  private static boolean lockedByAnother(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException shutdown
          && shutdown.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close
          && close.getReplyCode() == RESOURCE_LOCKED) {
        return true;
      }
    }
    return false;
  }

  private static void release(Connection connection, String name) {
    synchronized (HELD) {
      Set<String> names = HELD.get(connection);
      if (names != null) {
        names.remove(name);
      }
    }
  }

  /** Deletes the lock queue and releases the lock. */
  @Override
  public void close() {
    try {
      if (channel.isOpen()) {
        channel.queueDelete(name);
      }
    } catch (IOException | RuntimeException e) {
      // The broker deletes an exclusive queue with its connection anyway.
      log.debug("Lock queue {} not deleted: {}", name, Exceptions.describe(e));
    } finally {
      closeQuietly(channel);
      release(connection, name);
    }
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      log.debug("Lock channel did not close cleanly: {}", Exceptions.describe(e));
    }
  }

  /** Another operation holds the lock. */
  public static final class Busy extends IOException {
    private static final long serialVersionUID = 1L;

    Busy(String lockQueue) {
      super("the lock queue " + lockQueue + " is held by another operation");
    }
  }
}
