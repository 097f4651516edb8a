package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import io.eventbus.PublishBufferFullException;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with confirms and mandatory routing, and never reports an event as confirmed that the
 * broker did not confirm.
 *
 * <h2>Ownership</h2>
 *
 * Callers only append to a bounded buffer. One sender thread owns the channel: it opens it (after
 * every recovery), takes events from the buffer while the connection is up and unblocked and the
 * outstanding window has room, and publishes them. Confirms and returns arrive on the connection's
 * I/O thread, which only updates {@link #outstanding} and hands completions to {@link
 * #completions}, so no user code runs on the I/O thread.
 *
 * <h2>Recovery</h2>
 *
 * When the channel dies (connection lost, or closed by the broker), every event sent on it and not
 * yet confirmed goes back to the front of the buffer, in order, and is sent again on the next
 * channel; its future completes on the new confirm. A consumer may therefore see an event twice
 * (the broker may have stored it before the confirm was lost): the duplicate window is the
 * outstanding window at the moment of the loss.
 *
 * <h2>Deadlines and bounds</h2>
 *
 * Every event carries its deadline; a sweep every {@link #SWEEP_INTERVAL} fails the expired ones,
 * buffered or outstanding. Buffered events are bounded by count and bytes (one more fails at once),
 * outstanding ones by the window.
 */
public final class ConfirmingPublisher implements ConnectionSupervisor.Listener {
  private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);
  private static final Duration SWEEP_INTERVAL = Duration.ofMillis(50);
  private static final int MAX_BATCH = 256;
  private static final int FULL_SWEEP_EVERY = 20;

  private final ConnectionSupervisor supervisor;
  private final PublisherSettings settings;
  private final Executor completions;
  private final ScheduledExecutorService scheduler;
  private final IntervalFunction nackBackoff;
  private final ScheduledFuture<?> sweeper;
  private final Thread sender;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Publish> buffer = new ArrayDeque<>(); // guarded by lock
  private long bufferedBytes; // guarded by lock
  private boolean blocked; // guarded by lock
  private boolean closing; // guarded by lock
  private boolean stopped; // guarded by lock

  private final NavigableMap<Long, Publish> outstanding = new ConcurrentSkipListMap<>();
  private final AtomicInteger outstandingCount = new AtomicInteger();
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong nackRetries = new AtomicLong();
  private final AtomicLong unroutableAccepted = new AtomicLong();
  private @Nullable Channel channel; // sender thread only
  private long sweeps; // scheduler thread only

  public ConfirmingPublisher(
      ConnectionSupervisor supervisor,
      PublisherSettings settings,
      ScheduledExecutorService scheduler,
      Executor completions) {
    this.supervisor = supervisor;
    this.settings = settings;
    this.scheduler = scheduler;
    this.completions = completions;
    this.nackBackoff =
        IntervalFunction.ofExponentialRandomBackoff(settings.nackBackoff(), 2.0, 0.5);
    this.sender = new DaemonThreads("publisher").newThread(this::runSender);
    sender.start();
    this.sweeper =
        scheduler.scheduleWithFixedDelay(
            this::failExpired,
            SWEEP_INTERVAL.toNanos(),
            SWEEP_INTERVAL.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Queues a message for publishing and returns a future completed by the broker's confirm, or
   * failed with a {@link PublishException}.
   */
  public CompletableFuture<Void> publish(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType) {
    Publish publish =
        new Publish(
            exchange,
            routingKey,
            properties,
            body,
            eventId,
            eventType,
            System.nanoTime() + settings.timeout().toNanos());
    lock.lock();
    try {
      if (closing) {
        publish.future.completeExceptionally(
            PublishNotConfirmedException.failed(
                eventId, eventType, "the transport is closed", null));
      } else if (buffer.size() >= settings.maxBufferedEvents()
          || bufferedBytes + body.length > settings.maxBufferedBytes()) {
        publish.future.completeExceptionally(
            PublishBufferFullException.of(
                eventId,
                eventType,
                buffer.size(),
                bufferedBytes,
                settings.maxBufferedEvents()
                    + " events, "
                    + settings.maxBufferedBytes()
                    + " bytes"));
      } else {
        buffer.addLast(publish);
        bufferedBytes += body.length;
        if (buffer.size() == 1) {
          changed.signal();
        }
      }
    } finally {
      lock.unlock();
    }
    return publish.future;
  }

  public int bufferedEvents() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  public long bufferedBytes() {
    lock.lock();
    try {
      return bufferedBytes;
    } finally {
      lock.unlock();
    }
  }

  public int outstandingConfirms() {
    return outstandingCount.get();
  }

  public long resentAfterRecovery() {
    return resent.get();
  }

  public long nackRetries() {
    return nackRetries.get();
  }

  public long unroutableAccepted() {
    return unroutableAccepted.get();
  }

  @Override
  public void connected(Connection connection) {
    blocked(false);
  }

  @Override
  public void disconnected() {
    wake();
  }

  @Override
  public void blocked(boolean blocked) {
    lock.lock();
    try {
      this.blocked = blocked;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- the sender thread ----

  private void runSender() {
    try {
      while (true) {
        Channel current = usableChannel();
        List<Publish> batch = takeBatch(current != null);
        if (batch == null) {
          return;
        }
        if (current != null && !batch.isEmpty()) {
          send(current, batch);
        }
      }
    } catch (RuntimeException | Error e) {
      log.error("The publisher thread failed; publishing stops", e);
      throw e;
    }
  }

  /** The open channel, opening one if the connection is up; null if none can be had now. */
  private @Nullable Channel usableChannel() {
    Channel current = channel;
    if (current != null && current.isOpen()) {
      return current;
    }
    if (current != null) {
      channel = null;
      requeueOutstanding();
    }
    Connection connection = supervisor.connection();
    if (connection == null || !connection.isOpen() || isBlocked()) {
      return null;
    }
    try {
      Channel fresh = connection.createChannel();
      fresh.confirmSelect();
      fresh.addConfirmListener(
          new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
              settle(tag, multiple, true);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
              settle(tag, multiple, false);
            }
          });
      fresh.addReturnListener((ReturnListener) this::returned);
      fresh.addShutdownListener(cause -> wake());
      channel = fresh;
      return fresh;
    } catch (IOException | RuntimeException e) {
      log.debug("Could not open a publishing channel: {}", Exceptions.describe(e));
      return null;
    }
  }

  private boolean isBlocked() {
    lock.lock();
    try {
      return blocked;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until there is something to send and room to send it, and takes it; null when stopped.
   * Without a channel it waits at most one sweep interval, then returns empty so that the caller
   * tries to open one again.
   */
  private @Nullable List<Publish> takeBatch(boolean canSend) {
    lock.lock();
    try {
      while (!stopped) {
        int room = settings.maxOutstandingConfirms() - outstandingCount.get();
        if (canSend && !blocked && !buffer.isEmpty() && room > 0) {
          int size = Math.min(Math.min(room, MAX_BATCH), buffer.size());
          List<Publish> batch = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            Publish publish = buffer.pollFirst();
            bufferedBytes -= publish.body.length;
            batch.add(publish);
          }
          return batch;
        }
        boolean signalled = changed.awaitNanos(SWEEP_INTERVAL.toNanos()) > 0;
        if (!canSend || (channel != null && !channel.isOpen())) {
          return List.of();
        }
        if (!signalled && buffer.isEmpty()) {
          return List.of();
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  private void send(Channel current, List<Publish> batch) {
    for (int i = 0; i < batch.size(); i++) {
      Publish publish = batch.get(i);
      if (publish.future.isDone()) {
        continue;
      }
      long sequence = current.getNextPublishSeqNo();
      publish.returnedWith = null;
      outstanding.put(sequence, publish);
      outstandingCount.incrementAndGet();
      try {
        current.basicPublish(
            publish.exchange, publish.routingKey, true, publish.properties, publish.body);
      } catch (IOException | AlreadyClosedException e) {
        // The channel is going away: this event stays outstanding and is re-sent with the rest
        // once a new channel is open; the remainder of the batch goes back to the buffer first.
        log.debug("Publishing channel failed: {}", Exceptions.describe(e));
        requeueFront(batch.subList(i + 1, batch.size()), false);
        return;
      }
    }
  }

  /** Moves every unconfirmed event of the dead channel to the front of the buffer, in order. */
  private void requeueOutstanding() {
    List<Publish> unconfirmed = new ArrayList<>();
    for (Map.Entry<Long, Publish> entry = outstanding.pollFirstEntry();
        entry != null;
        entry = outstanding.pollFirstEntry()) {
      outstandingCount.decrementAndGet();
      unconfirmed.add(entry.getValue());
    }
    if (!unconfirmed.isEmpty()) {
      log.info("Re-sending {} unconfirmed events after a lost channel", unconfirmed.size());
      requeueFront(unconfirmed, true);
    }
  }

  private void requeueFront(List<Publish> publishes, boolean countAsResent) {
    lock.lock();
    try {
      for (int i = publishes.size() - 1; i >= 0; i--) {
        Publish publish = publishes.get(i);
        if (!publish.future.isDone()) {
          buffer.addFirst(publish);
          bufferedBytes += publish.body.length;
          if (countAsResent) {
            resent.incrementAndGet();
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- the I/O thread ----

  private void settle(long tag, boolean multiple, boolean acked) {
    int before = outstandingCount.get();
    List<Publish> confirmed = new ArrayList<>();
    if (multiple) {
      for (Map.Entry<Long, Publish> entry = outstanding.firstEntry();
          entry != null && entry.getKey() <= tag;
          entry = outstanding.higherEntry(entry.getKey())) {
        if (outstanding.remove(entry.getKey(), entry.getValue())) {
          outstandingCount.decrementAndGet();
          settled(entry.getValue(), acked, confirmed);
        }
      }
    } else {
      Publish publish = outstanding.remove(tag);
      if (publish != null) {
        outstandingCount.decrementAndGet();
        settled(publish, acked, confirmed);
      }
    }
    if (!confirmed.isEmpty()) {
      // One hand-off per confirm frame, not per event: a multiple ack completes hundreds at once.
      completions.execute(() -> confirmed.forEach(publish -> publish.future.complete(null)));
    }
    if (before >= settings.maxOutstandingConfirms() || outstandingCount.get() == 0) {
      wake();
    }
  }

  private void settled(Publish publish, boolean acked, List<Publish> confirmed) {
    if (!acked) {
      if (publish.nacks < settings.nackRetries()) {
        publish.nacks++;
        nackRetries.incrementAndGet();
        long delay = nackBackoff.apply(publish.nacks);
        scheduler.schedule(() -> requeueBack(publish), delay, TimeUnit.MILLISECONDS);
      } else {
        fail(publish, PublishNotConfirmedException.nacked(publish.eventId, publish.eventType));
      }
    } else if (publish.returnedWith != null && !settings.acceptUnroutable()) {
      fail(
          publish,
          UnroutableEventException.returned(
              publish.eventId,
              publish.eventType,
              destination(publish.exchange, publish.routingKey),
              publish.returnedWith));
    } else {
      if (publish.returnedWith != null) {
        unroutableAccepted.incrementAndGet();
      }
      confirmed.add(publish);
    }
  }

  private void requeueBack(Publish publish) {
    lock.lock();
    try {
      if (!publish.future.isDone() && !stopped) {
        buffer.addLast(publish);
        bufferedBytes += publish.body.length;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void returned(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    String messageId = properties.getMessageId();
    for (Publish publish : outstanding.values()) {
      if (publish.returnedWith == null
          && publish.eventId.equals(messageId)
          && publish.exchange.equals(exchange)
          && publish.routingKey.equals(routingKey)) {
        publish.returnedWith = replyCode + " " + replyText;
        return;
      }
    }
    log.debug("Return for an unknown publish of {} to {}", messageId, routingKey);
  }

  // ---- deadlines and close ----

  private void failExpired() {
    long now = System.nanoTime();
    lock.lock();
    try {
      if (!buffer.isEmpty()) {
        buffer.removeIf(
            publish -> {
              if (now - publish.expiresAt < 0) {
                return false;
              }
              bufferedBytes -= publish.body.length;
              fail(
                  publish,
                  PublishNotConfirmedException.failed(
                      publish.eventId,
                      publish.eventType,
                      "it could not be sent within "
                          + settings.timeout()
                          + " (publishing connection "
                          + supervisor.state().name().toLowerCase(Locale.ROOT)
                          + ", "
                          + outstandingCount.get()
                          + " confirms outstanding)",
                      null));
              return true;
            });
      }
    } finally {
      lock.unlock();
    }
    // Outstanding events expire roughly in sequence order, so most sweeps stop at the first live
    // one; an event sent again after a nack sits behind younger ones, which a full sweep every
    // FULL_SWEEP_EVERY sweeps catches.
    boolean full = ++sweeps % FULL_SWEEP_EVERY == 0;
    for (Map.Entry<Long, Publish> entry : outstanding.entrySet()) {
      Publish publish = entry.getValue();
      if (now - publish.expiresAt < 0) {
        if (full) {
          continue;
        }
        break;
      }
      if (outstanding.remove(entry.getKey(), publish)) {
        outstandingCount.decrementAndGet();
        fail(
            publish,
            PublishNotConfirmedException.timedOut(
                publish.eventId, publish.eventType, settings.timeout()));
      }
    }
  }

  private void fail(Publish publish, PublishException failure) {
    completions.execute(() -> publish.future.completeExceptionally(failure));
  }

  /**
   * Stops accepting publishes, waits up to {@code timeout} for buffered and outstanding events to
   * be confirmed, fails the rest, and closes the channel.
   */
  public void close(Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      closing = true;
      changed.signalAll();
      while ((!buffer.isEmpty() || outstandingCount.get() > 0) && System.nanoTime() < until) {
        changed.await(10, TimeUnit.MILLISECONDS);
      }
      stopped = true;
      changed.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    sweeper.cancel(false);
    try {
      sender.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String why = "the transport closed before it was confirmed";
    lock.lock();
    try {
      for (Publish publish : buffer) {
        fail(
            publish,
            PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
      }
      buffer.clear();
      bufferedBytes = 0;
    } finally {
      lock.unlock();
    }
    for (Map.Entry<Long, Publish> entry = outstanding.pollFirstEntry();
        entry != null;
        entry = outstanding.pollFirstEntry()) {
      outstandingCount.decrementAndGet();
      Publish publish = entry.getValue();
      fail(
          publish,
          PublishNotConfirmedException.failed(publish.eventId, publish.eventType, why, null));
    }
    Channel current = channel;
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (IOException | TimeoutException | RuntimeException e) {
        log.debug("Publishing channel did not close cleanly: {}", Exceptions.describe(e));
      }
    }
  }

  private static String destination(String exchange, String routingKey) {
    return (exchange.isEmpty() ? "the default exchange" : "exchange '" + exchange + "'")
        + " with routing key '"
        + routingKey
        + "'";
  }

  private static final class Publish {
    final String exchange;
    final String routingKey;
    final AMQP.BasicProperties properties;
    final byte[] body;
    final String eventId;
    final String eventType;
    final long expiresAt;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    volatile int nacks;
    volatile @Nullable String returnedWith;

    Publish(
        String exchange,
        String routingKey,
        AMQP.BasicProperties properties,
        byte[] body,
        String eventId,
        String eventType,
        long expiresAt) {
      this.exchange = exchange;
      this.routingKey = routingKey;
      this.properties = properties;
      this.body = body;
      this.eventId = eventId;
      this.eventType = eventType;
      this.expiresAt = expiresAt;
    }
  }
}
