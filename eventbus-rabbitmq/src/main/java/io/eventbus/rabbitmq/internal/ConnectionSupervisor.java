package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.rabbitmq.ConnectionState;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one logical connection and its recovery. amqp-client's automatic recovery is off: when the
 * connection is lost for any reason other than {@link #close()}, this reconnects with exponential
 * back-off and jitter, trying the configured addresses in order, and tells its listeners, which
 * re-create what they had on the old connection (channels, consumers, declarations).
 *
 * <p>Listener calls are made one at a time: {@link Listener#connected} on the thread that connected
 * (the caller of {@link #connect()} or the scheduler), {@link Listener#disconnected} and the
 * blocked calls on the connection's I/O thread, so they must be quick and must not wait for the
 * broker.
 */
public final class ConnectionSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);

  /** What a user of the connection does when it comes and goes. */
  public interface Listener {
    /** A (new) connection is up; re-create channels and consumers on it. */
    void connected(Connection connection) throws IOException;

    /** The connection is gone; everything on it is dead. */
    default void disconnected() {}

    /** The broker blocked or unblocked the connection under a resource alarm. */
    default void blocked(boolean blocked) {}
  }

  private final ConnectionFactory factory;
  private final List<Address> addresses;
  private final String name;
  private final @Nullable ExecutorService dispatch;
  private final ScheduledExecutorService scheduler;
  private final Duration maxRetryInterval;
  private final ReconnectFailures failures;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Object monitor = new Object();
  private volatile @Nullable Connection connection;
  private volatile ConnectionState state = ConnectionState.RECOVERING;
  private volatile long recoveries;
  private volatile boolean connectedOnce; // written under monitor
  private volatile @Nullable Runnable whenFirstUp; // run once after the first set-up succeeded
  private volatile long stateSinceNanos = System.nanoTime();
  private volatile long blockedSinceNanos; // 0 while not blocked; written under monitor
  private volatile long blockedNanos; // completed blocked periods; written under monitor
  private Duration nextRetry = FIRST_RETRY;

  /**
   * @param where the brokers, without passwords, as failures name them
   */
  public ConnectionSupervisor(
      ConnectionFactory factory,
      List<Address> addresses,
      String name,
      String where,
      @Nullable ExecutorService dispatch,
      ScheduledExecutorService scheduler,
      Duration maxRetryInterval) {
    this.factory = factory;
    this.addresses = List.copyOf(addresses);
    this.name = name;
    this.dispatch = dispatch;
    this.scheduler = scheduler;
    this.maxRetryInterval = maxRetryInterval;
    this.failures = new ReconnectFailures(name, where);
  }

  /** Adds a listener; it is told about connections made from now on. */
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Removes a listener. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** Connects for the first time, failing if no address answers. */
  public void connect() throws IOException, TimeoutException {
    open(false);
  }

  /**
   * Starts connecting for the first time on the scheduler and returns at once: the state stays
   * {@link ConnectionState#RECOVERING} until an address answers, attempts are retried with the
   * reconnection back-off, and their failures are told as a lost connection's are ({@link
   * #lastFailure()}, a WARN for a refused login or a failed TLS verification). Listeners are told
   * {@link Listener#connected} when it succeeds; it does not count as a recovery.
   *
   * @param whenUp run once, on the thread that connected, after every listener set up on the first
   *     connection; must be quick
   */
  public void connectInBackground(Runnable whenUp) {
    synchronized (monitor) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      whenFirstUp = whenUp;
    }
    scheduler.execute(this::reconnect);
  }

  /** The current connection, or null while recovering or closed. */
  public @Nullable Connection connection() {
    return connection;
  }

  public ConnectionState state() {
    return state;
  }

  /** How many times the connection was re-established after a loss. */
  public long recoveries() {
    return recoveries;
  }

  /**
   * Why the last reconnection attempt since the connection was lost failed (for a refused login or
   * a failed TLS verification, the message the first connection's exception would carry), or null
   * while connected or before an attempt failed.
   */
  public @Nullable String lastFailure() {
    return failures.last();
  }

  /**
   * Whether a connection was ever opened (false while the first one is tried in the background).
   */
  public boolean connectedOnce() {
    return connectedOnce;
  }

  /** How long the connection has been in its current {@link #state()}. */
  public Duration inStateFor() {
    return Duration.ofNanos(System.nanoTime() - stateSinceNanos);
  }

  /** How long the broker has kept this connection blocked in all, the current block included. */
  public Duration blockedTime() {
    long since = blockedSinceNanos;
    return Duration.ofNanos(blockedNanos + (since == 0 ? 0 : System.nanoTime() - since));
  }

  /** The host name or address of the broker connected to, or null while not connected. */
  public @Nullable String peer() {
    Connection current = connection;
    return current == null ? null : current.getAddress().getHostAddress() + ":" + current.getPort();
  }

  private void setState(ConnectionState next) {
    // Callers hold the monitor, except the blocked listener, which only runs while connected.
    if (state != next) {
      state = next;
      stateSinceNanos = System.nanoTime();
    }
    if (next == ConnectionState.BLOCKED) {
      if (blockedSinceNanos == 0) {
        blockedSinceNanos = System.nanoTime();
      }
    } else if (blockedSinceNanos != 0) {
      blockedNanos += System.nanoTime() - blockedSinceNanos;
      blockedSinceNanos = 0;
    }
  }

  /**
   * Opens a connection; {@code afterLoss} counts it as a recovery, before its state says CONNECTED,
   * so that no snapshot shows the new state with the old count.
   */
  private void open(boolean afterLoss) throws IOException, TimeoutException {
    Connection opened =
        dispatch == null
            ? factory.newConnection(addresses, name)
            : factory.newConnection(dispatch, addresses, name);
    synchronized (monitor) {
      if (state == ConnectionState.CLOSED) {
        closeQuietly(opened);
        return;
      }
      opened.addBlockedListener(
          new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
              log.warn("Connection {} blocked by the broker: {}", name, reason);
              synchronized (monitor) {
                if (connection == opened) {
                  setState(ConnectionState.BLOCKED);
                }
              }
              tell(listener -> listener.blocked(true));
            }

            @Override
            public void handleUnblocked() {
              log.info("Connection {} unblocked", name);
              synchronized (monitor) {
                if (connection == opened) {
                  setState(ConnectionState.CONNECTED);
                }
              }
              tell(listener -> listener.blocked(false));
            }
          });
      opened.addShutdownListener(cause -> lost(opened, cause));
      connection = opened;
      if (afterLoss) {
        recoveries++;
      }
      connectedOnce = true;
      setState(ConnectionState.CONNECTED);
      nextRetry = FIRST_RETRY;
    }
    for (Listener listener : listeners) {
      listener.connected(opened);
    }
    Runnable whenUp = whenFirstUp;
    if (whenUp != null) {
      whenFirstUp = null;
      whenUp.run();
    }
    log.info(
        "Connection {} open to {}:{}",
        name,
        opened.getAddress().getHostAddress(),
        opened.getPort());
  }

  private void lost(Connection lost, ShutdownSignalException cause) {
    synchronized (monitor) {
      if (connection != lost || state == ConnectionState.CLOSED) {
        return;
      }
      connection = null;
      setState(ConnectionState.RECOVERING);
    }
    log.warn("Connection {} lost: {}; reconnecting", name, Exceptions.describe(cause));
    tell(Listener::disconnected);
    scheduleReconnect();
  }

  /**
   * Tells every listener, one failing listener not keeping the others from being told nor the
   * connection from being recovered (this runs on the I/O thread, before the reconnect is
   * scheduled).
   */
  private void tell(java.util.function.Consumer<Listener> call) {
    for (Listener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        log.error(
            "A listener of connection {} failed; the others are told and recovery goes on: {}",
            name,
            Exceptions.describe(e),
            e);
      }
    }
  }

  private void scheduleReconnect() {
    Duration delay;
    synchronized (monitor) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      delay = nextRetry;
      Duration doubled = nextRetry.multipliedBy(2);
      nextRetry = doubled.compareTo(maxRetryInterval) > 0 ? maxRetryInterval : doubled;
    }
    long jittered = (long) (delay.toNanos() * (0.5 + ThreadLocalRandom.current().nextDouble()));
    scheduler.schedule(this::reconnect, jittered, TimeUnit.NANOSECONDS);
  }

  private void reconnect() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    try {
      open(connectedOnce);
      failures.recovered();
    } catch (IOException | TimeoutException | RuntimeException e) {
      failures.failed(e);
      Connection half = connection;
      if (half != null && !half.isOpen()) {
        lost(half, new ShutdownSignalException(true, false, null, half));
      } else if (half == null) {
        scheduleReconnect();
      } else {
        // Open, but a listener failed to set up on it: drop it and start over.
        closeQuietly(half);
      }
    }
  }

  /** Closes the connection and stops recovering; idempotent. */
  @Override
  public void close() {
    Connection current;
    synchronized (monitor) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      setState(ConnectionState.CLOSED);
      current = connection;
      connection = null;
    }
    if (current != null) {
      closeQuietly(current);
    }
  }

  private void closeQuietly(Connection connection) {
    try {
      if (connection.isOpen()) {
        connection.close(5_000);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Connection {} did not close cleanly: {}", name, Exceptions.describe(e));
    }
  }
}
