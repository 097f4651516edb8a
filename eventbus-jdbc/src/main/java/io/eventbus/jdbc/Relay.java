package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.PublishReceipt;
import io.eventbus.UnroutableEventException;
import io.eventbus.jdbc.internal.Dialect;
import io.eventbus.jdbc.internal.StoredRow;
import io.eventbus.spi.BusExtensions;
import io.eventbus.spi.OutboundMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends stored rows: {@code threads} workers, each looping over short transactions that lease one
 * bucket with unsent rows, send up to a batch of its rows in position order through the bus, wait
 * for every confirm, mark the confirmed rows sent, park the refused ones, and commit. A listener
 * thread wakes the workers on commit notifications; without them the workers poll.
 *
 * <p>A worker that crashes or loses its connection mid-batch leaves its transaction to roll back:
 * the rows stay unsent and are sent again, so a confirmed row can go out twice (the inbox absorbs
 * it). After a transient failure a worker backs off (100 ms doubling to 5 s, with jitter) and then
 * probes with one row until a send succeeds, so that an unreachable broker is not fed whole
 * batches.
 */
final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration RECHECK = Duration.ofMillis(25);

  private final DataSource dataSource;
  private final Dialect dialect;
  private final BusExtensions bus;
  private final OutboxSettings settings;
  private final List<Thread> threads = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private long wakeups;
  private volatile boolean running = true;

  final AtomicLong relayed = new AtomicLong();
  volatile long lagNanos;
  volatile long lastProgressNanos = System.nanoTime();
  volatile @Nullable String lastError;

  Relay(DataSource dataSource, Dialect dialect, BusExtensions bus, OutboxSettings settings) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.bus = bus;
    this.settings = settings;
  }

  void start() {
    for (int i = 0; i < settings.relayThreads(); i++) {
      int first = Math.floorMod(ThreadLocalRandom.current().nextInt(), OutboxMessages.BUCKETS);
      threads.add(daemon("eventbus-outbox-relay-" + (i + 1), () -> work(first)));
    }
    if (settings.notifyOnCommit()) {
      threads.add(daemon("eventbus-outbox-listener", this::listen));
    }
    threads.forEach(Thread::start);
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Wakes every idle worker. */
  void wakeUp() {
    lock.lock();
    try {
      wakeups++;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void awaitWork(long seen, Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (running && wakeups == seen && nanos > 0) {
        nanos = work.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  private long wakeups() {
    lock.lock();
    try {
      return wakeups;
    } finally {
      lock.unlock();
    }
  }

  private void work(int first) {
    int start = first;
    int failures = 0;
    boolean found = false;
    while (running) {
      long seen = wakeups();
      try {
        Cycle cycle = cycle(start, failures > 0);
        if (cycle.bucket < 0) {
          lastProgressNanos = System.nanoTime();
          // Just after a find, look again soon: stores notify at most every 10 ms, so rows of a
          // skipped notification may commit right after this scan.
          Duration wait = settings.pollInterval();
          if (found && RECHECK.compareTo(wait) < 0) {
            wait = RECHECK;
          }
          awaitWork(seen, wait);
          found = false;
          continue;
        }
        found = true;
        start = (cycle.bucket + 1) % OutboxMessages.BUCKETS;
        if (cycle.failure == null) {
          lastProgressNanos = System.nanoTime();
          failures = 0;
          lastError = null;
          continue;
        }
        lastError = cycle.failure;
      } catch (SQLException | RuntimeException e) {
        lastError = e.getClass().getName() + ": " + e.getMessage();
        log.warn("Outbox relay: {}", lastError);
      } catch (InterruptedException e) {
        return;
      }
      failures++;
      try {
        awaitWork(-1, backoff(failures));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  static Duration backoff(int failures) {
    long max = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(failures, 10));
    return Duration.ofMillis(max / 2 + ThreadLocalRandom.current().nextLong(max / 2 + 1));
  }

  /** What one cycle did: the bucket it leased (-1: none had work) and a transient failure. */
  private record Cycle(int bucket, @Nullable String failure) {}

  /** A row being sent and its confirm. */
  private record Sending(StoredRow row, CompletableFuture<PublishReceipt> confirm) {}

  private Cycle cycle(int start, boolean probing) throws SQLException, InterruptedException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        OptionalInt leased =
            dialect.leaseBucket(connection, settings.tables(), start, OutboxMessages.BUCKETS);
        if (leased.isEmpty()) {
          connection.rollback();
          return new Cycle(-1, null);
        }
        int bucket = leased.getAsInt();
        List<StoredRow> rows =
            dialect.unsent(
                connection, settings.tables(), bucket, probing ? 1 : settings.batchSize());
        List<Sending> sending = new ArrayList<>(rows.size());
        for (StoredRow row : rows) {
          OutboundMessage message;
          try {
            message = OutboxMessages.message(row);
          } catch (RuntimeException e) {
            park(connection, row, "not a valid message: " + e.getMessage(), e);
            continue;
          }
          CompletableFuture<PublishReceipt> confirm;
          try {
            confirm = bus.send(message).toCompletableFuture();
          } catch (RuntimeException e) {
            confirm = CompletableFuture.failedFuture(e);
          }
          sending.add(new Sending(row, confirm));
        }
        awaitConfirms(sending);
        List<Long> sent = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        String failure = null;
        for (Sending send : sending) {
          Throwable error = failureOf(send.confirm);
          if (error == null) {
            sent.add(send.row.position());
          } else if (permanent(error)) {
            park(connection, send.row, error.getMessage(), error);
          } else {
            failed.add(send.row.position());
            if (failure == null) {
              failure = error.getClass().getName() + ": " + error.getMessage();
            }
          }
        }
        if (!sent.isEmpty()) {
          double lag =
              dialect.markSent(
                  connection, settings.tables(), sent, settings.sentRetention().isZero());
          lagNanos = (long) (lag * 1e9);
        }
        if (!failed.isEmpty()) {
          dialect.recordFailure(connection, settings.tables(), failed, truncate(failure));
        }
        connection.commit();
        relayed.addAndGet(sent.size());
        if (failure != null) {
          log.warn(
              "Outbox relay: {} of {} rows of bucket {} not sent ({}); retrying with back-off",
              failed.size(),
              rows.size(),
              bucket,
              failure);
        }
        return new Cycle(bucket, failure);
      } catch (SQLException | RuntimeException | InterruptedException e) {
        rollbackQuietly(connection);
        throw e;
      }
    }
  }

  private void awaitConfirms(List<Sending> sending) throws InterruptedException {
    CompletableFuture<?> all =
        CompletableFuture.allOf(
            sending.stream().map(Sending::confirm).toArray(CompletableFuture[]::new));
    try {
      all.get(settings.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // judged one by one below; what is not done by now counts as not confirmed
    }
  }

  private @Nullable Throwable failureOf(CompletableFuture<PublishReceipt> confirm) {
    if (!confirm.isDone()) {
      return new TimeoutException(
          "not confirmed within " + settings.confirmTimeout() + " (outbox confirmTimeout)");
    }
    try {
      confirm.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (RuntimeException e) {
      return e;
    }
  }

  /**
   * Whether the broker or the bus refused a message for good: no queue bound for its type, or a
   * message the transport cannot carry.
   */
  static boolean permanent(Throwable error) {
    return error instanceof UnroutableEventException
        || error instanceof IllegalArgumentException
        || error instanceof EventBusConfigurationException;
  }

  private void park(Connection connection, StoredRow row, @Nullable String reason, Throwable error)
      throws SQLException {
    String why = truncate(reason == null ? error.getClass().getSimpleName() : reason);
    dialect.park(connection, settings.tables(), row.position(), why, error.getClass().getName());
    log.warn(
        "Outbox relay: parked event {} ({}) at position {} in {}: {}",
        row.eventId(),
        row.eventType(),
        row.position(),
        settings.tables().outboxDeadLetters(),
        why);
  }

  private static String truncate(@Nullable String text) {
    String value = String.valueOf(text);
    return value.length() <= 1000 ? value : value.substring(0, 1000) + "…";
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // the connection is gone; so is the transaction
    }
  }

  /** Holds a connection that LISTENs for commits and wakes the workers; reconnects when lost. */
  private void listen() {
    int failures = 0;
    while (running) {
      try (Connection connection = dataSource.getConnection()) {
        if (!dialect.canListen(connection)) {
          log.info(
              "Outbox relay: the connection cannot LISTEN; polling every {}",
              settings.pollInterval());
          return;
        }
        connection.setAutoCommit(true);
        dialect.listen(connection, settings.tables());
        failures = 0;
        wakeUp(); // anything committed while nobody listened
        while (running) {
          if (dialect.awaitNotification(connection, 500)) {
            wakeUp();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        failures++;
        log.debug("Outbox relay listener: {}; polling until it reconnects", e.getMessage());
      }
      try {
        Thread.sleep(backoff(failures).toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops the workers; a batch in flight finishes (or rolls back) within {@code wait}. */
  @Override
  public void close() {
    running = false;
    wakeUp();
    long deadline = System.nanoTime() + settings.confirmTimeout().plusSeconds(5).toNanos();
    for (Thread thread : threads) {
      try {
        long left = deadline - System.nanoTime();
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        if (thread.isAlive()) {
          thread.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
