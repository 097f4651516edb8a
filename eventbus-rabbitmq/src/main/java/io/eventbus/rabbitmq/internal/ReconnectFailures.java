package io.eventbus.rabbitmq.internal;

import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.TlsVerificationException;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection's failed reconnection attempts are told as: a failure that trying again
 * cannot mend (the broker refused the credentials, TLS verification failed) is logged at WARN with
 * the message the first connection's typed exception would carry, at once when the cause is new and
 * then at most once per {@code interval} with the number of attempts in between; any other failure
 * (the broker does not answer yet) only at DEBUG. The last failure is kept for health.
 *
 * <p>Called by the connection's supervisor on the thread that tried to connect (what a TLS
 * handshake saw is remembered per thread); {@link #last()} may be read from any thread.
 */
final class ReconnectFailures {
  static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);

  private final String name;
  private final String where;
  private final Duration interval;
  private final LongSupplier nanoTime;
  private final Logger logger;
  private volatile @Nullable String last;
  private @Nullable String warned; // the message of the last warning, or null
  private long warnedAtNanos;
  private int attemptsSinceWarning;
  private int failedAttempts;

  /**
   * @param name the connection's name, for the log
   * @param where the brokers tried, without passwords, as the first connection's exception names
   *     them
   */
  ReconnectFailures(String name, String where) {
    this(name, where, WARN_INTERVAL, System::nanoTime, log);
  }

  ReconnectFailures(
      String name, String where, Duration interval, LongSupplier nanoTime, Logger logger) {
    this.name = name;
    this.where = where;
    this.interval = interval;
    this.nanoTime = nanoTime;
    this.logger = logger;
  }

  /** A reconnection attempt failed with {@code e}. */
  synchronized void failed(Throwable e) {
    failedAttempts++;
    EventBusException typed = ConnectionSecurity.connectFailure(where, e);
    if (!ConnectionSecurity.needsAction(typed)) {
      last = Exceptions.describe(e);
      logger.debug("Connection {} not yet back: {}", name, last);
      return;
    }
    String message = typed.getMessage();
    last = message;
    long now = nanoTime.getAsLong();
    if (!message.equals(warned) || now - warnedAtNanos >= interval.toNanos()) {
      logger.warn(
          "Connection {} cannot reconnect: {} [{}; {} failed {} so far, {} since the last warning;"
              + " retrying with back-off, this warning at most every {} s]",
          name,
          message,
          kind(typed),
          failedAttempts,
          failedAttempts == 1 ? "attempt" : "attempts",
          attemptsSinceWarning,
          interval.toSeconds());
      warned = message;
      warnedAtNanos = now;
      attemptsSinceWarning = 0;
    } else {
      attemptsSinceWarning++;
    }
  }

  /** The connection is back: forget the failures, saying so if they were warned about. */
  synchronized void recovered() {
    if (warned != null) {
      logger.info(
          "Connection {} reconnected after {} failed {}; the last said: {}",
          name,
          failedAttempts,
          failedAttempts == 1 ? "attempt" : "attempts",
          warned);
    }
    last = null;
    warned = null;
    attemptsSinceWarning = 0;
    failedAttempts = 0;
  }

  /** Why the last attempt since the connection was lost failed, or null if none failed yet. */
  @Nullable String last() {
    return last;
  }

  private static String kind(EventBusException typed) {
    return typed instanceof TlsVerificationException tls
        ? "TLS verification failed: " + tls.reason()
        : "authentication refused";
  }
}
