package io.eventbus.rabbitmq.internal.publish;

import io.eventbus.PublishNotConfirmedException;
import io.eventbus.rabbitmq.internal.Exceptions;
import io.eventbus.spi.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mends gaps in the topology that returned events reveal: an event the broker returned as
 * unroutable although one of the transport's own subscriptions is bound for its type (the exchange
 * was deleted and declared again without the bindings, a binding or a queue was deleted) would be
 * lost for that subscription. Instead of being accepted or failed, it waits here while the exchange
 * and every subscription's queues and bindings are declared again ({@link OwnTopology#redeclare}),
 * then goes back into the buffer and is sent again, keeping its deadline; its future completes on
 * the new confirm.
 *
 * <h2>Bounds</h2>
 *
 * An event is sent again this way at most {@value #MAX_RESENDS} times; returned once more, or
 * returned when no own subscription is bound for its type, or a copy of a received message (which
 * {@code RabbitInbound} mends itself), it is settled as before: accepted and counted, or failed in
 * the strict mode. Returns in a burst share one declaration: the first schedules it, the others
 * join the events waiting for it, and whatever is returned before it ends is sent again after it. A
 * declaration starts {@value #FIRST_BACKOFF_MILLIS} ms after the return that asked for it (which
 * gathers the burst), and that wait doubles, up to {@value #MAX_BACKOFF_MILLIS} ms, while
 * declarations follow each other within 10 s, so that a topology deleted again and again is not
 * declared in a loop.
 *
 * <h2>Threads</h2>
 *
 * {@link #take} runs on the connection's I/O thread and never blocks; the declaration blocks on the
 * broker, so it runs on the {@code declaring} executor, after its wait on the scheduler (a blocking
 * declaration on the I/O thread would wait for frames that thread itself must read). Waiting events
 * are neither buffered nor outstanding: the publisher's deadline sweep ({@link #removeExpired}) and
 * close ({@link #drain}) reach them here. A WARN, at most once a minute, says what was declared and
 * sent again, with type names through {@link SafeText} and never a payload.
 *
 * <p>Thread-safe: one lock guards the waiting events and the schedule.
 */
final class TopologyResends {
  private static final Logger log = LoggerFactory.getLogger(TopologyResends.class);

  /** The most times one event is sent again after its type's bindings were found missing. */
  static final int MAX_RESENDS = 2;

  static final long FIRST_BACKOFF_MILLIS = 50;
  static final long MAX_BACKOFF_MILLIS = 2_000;

  /** At most one warning per this many seconds. */
  static final long LOG_SECONDS = 60;

  private static final long CALM_NANOS = Duration.ofSeconds(10).toNanos();

  private final OwnTopology own;
  private final PublishBuffer buffer;
  private final ScheduledExecutorService scheduler;
  private final Executor declaring;
  private final Executor completions;
  private final Ticker ticker;
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong declarations = new AtomicLong();
  // Guarded by this:
  private List<Publish> waiting = new ArrayList<>();
  private boolean scheduled;
  private long backoffNanos;
  private long lastDeclarationAt;
  private long nextLogAt = Long.MIN_VALUE;
  private long notLogged;

  /**
   * @param own answers whether a subscription is bound for a type, and declares the topology again
   * @param scheduler waits out the back-off before a declaration
   * @param declaring runs the (blocking) declarations
   * @param completions fails the futures of events that can no longer be sent
   * @param ticker reads time for the back-off and the log's rate limit
   */
  TopologyResends(
      OwnTopology own,
      PublishBuffer buffer,
      ScheduledExecutorService scheduler,
      Executor declaring,
      Executor completions,
      Ticker ticker) {
    this.own = own;
    this.buffer = buffer;
    this.scheduler = scheduler;
    this.declaring = declaring;
    this.completions = completions;
    this.ticker = ticker;
  }

  /**
   * Takes a returned and confirmed {@code publish} to be sent again once the topology is declared
   * again, if it is not a copy, has not used up its {@value #MAX_RESENDS} resends, and an own
   * subscription is bound for its exchange and routing key. On the I/O thread; never blocks.
   *
   * @return whether it was taken (its settlement is then this class's)
   */
  boolean take(Publish publish) {
    if (publish.copy
        || publish.topologyResends >= MAX_RESENDS
        || !own.bound(publish.exchange, publish.routingKey)) {
      return false;
    }
    publish.topologyResends++;
    long delay;
    synchronized (this) {
      waiting.add(publish);
      if (scheduled) {
        return true;
      }
      scheduled = true;
      delay = backOff();
    }
    try {
      scheduler.schedule(this::startDeclaring, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      failWaiting("the transport closed before it could be sent again");
    }
    return true;
  }

  /** The wait before the next declaration; doubles while declarations follow each other. */
  private long backOff() { // under this
    long now = ticker.nanos();
    if (backoffNanos == 0 || now - lastDeclarationAt > CALM_NANOS) {
      backoffNanos = TimeUnit.MILLISECONDS.toNanos(FIRST_BACKOFF_MILLIS);
    } else {
      backoffNanos = Math.min(2 * backoffNanos, TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS));
    }
    return backoffNanos;
  }

  private void startDeclaring() {
    try {
      declaring.execute(this::declareAndResend);
    } catch (RejectedExecutionException e) {
      failWaiting("the transport closed before it could be sent again");
    }
  }

  /** Declares the topology again, then puts every waiting event back into the buffer. */
  private void declareAndResend() {
    try {
      own.redeclare();
    } catch (RuntimeException e) {
      log.warn("Could not declare the topology again: {}", Exceptions.describe(e));
    }
    declarations.incrementAndGet();
    List<Publish> due;
    synchronized (this) {
      due = waiting;
      waiting = new ArrayList<>();
      scheduled = false;
      lastDeclarationAt = ticker.nanos();
    }
    int count = 0;
    Set<String> types = new TreeSet<>();
    for (Publish publish : due) {
      if (buffer.requeueBack(publish)) {
        count++;
        types.add(publish.eventType);
      } else if (!publish.future.isDone()) {
        publish.fail(
            completions,
            PublishNotConfirmedException.failed(
                publish.eventId,
                publish.eventType,
                "the transport closed before it could be sent again",
                null));
      }
    }
    resent.addAndGet(count);
    if (count > 0) {
      warn(count, types, due.get(0).exchange);
    }
  }

  private void warn(int count, Set<String> types, String exchange) {
    long skipped;
    synchronized (this) {
      long now = ticker.nanos();
      if (nextLogAt != Long.MIN_VALUE && now - nextLogAt < 0) {
        notLogged += count;
        return;
      }
      nextLogAt = now + TimeUnit.SECONDS.toNanos(LOG_SECONDS);
      skipped = notLogged;
      notLogged = 0;
    }
    log.warn(
        "The broker returned events as unroutable from exchange {} although subscriptions of"
            + " this transport are bound for their types {}: their bindings were missing."
            + " Declared the exchange and the subscriptions' queues and bindings again, and sent"
            + " {} events again{}",
        SafeText.of(exchange),
        SafeText.of(types, 500),
        count,
        skipped == 0
            ? ""
            : " (" + skipped + " more sent again so since the last such warning, not logged)");
  }

  /** Removes the waiting events whose deadline has passed at {@code now}. */
  List<Publish> removeExpired(long now) {
    synchronized (this) {
      if (waiting.isEmpty()) {
        return List.of();
      }
      List<Publish> expired = new ArrayList<>();
      waiting.removeIf(
          publish -> {
            if (publish.expired(now)) {
              expired.add(publish);
              return true;
            }
            return false;
          });
      return expired;
    }
  }

  /** Removes and returns every waiting event (the publisher is closing). */
  synchronized List<Publish> drain() {
    List<Publish> all = waiting;
    waiting = new ArrayList<>();
    return all;
  }

  /** How many events wait for a declaration. */
  synchronized int waiting() {
    return waiting.size();
  }

  /** Events sent again after their type's bindings were found missing, since the start. */
  long resent() {
    return resent.get();
  }

  /** Declarations made for returned events, since the start. */
  long declarations() {
    return declarations.get();
  }

  private void failWaiting(String why) {
    List<Publish> all;
    synchronized (this) {
      all = drain();
      scheduled = false;
    }
    for (Publish publish : all) {
      publish.fail(
          completions,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
  }
}
