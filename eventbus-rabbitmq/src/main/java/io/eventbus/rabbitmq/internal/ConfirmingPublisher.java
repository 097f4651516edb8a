package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with confirms and mandatory routing on one channel of the publishing connection.
 *
 * <p>Ownership: the channel is used for {@code basicPublish} only under {@link #lock}, which also
 * makes reading the next sequence number and publishing one step. Confirms and returns arrive on
 * the connection's I/O thread, which only updates {@link #outstanding} and hands completion to
 * {@link #completions}, so user code never runs on the I/O thread.
 *
 * <p>Every publish has a deadline. Sequence numbers grow with time, so the oldest publishes are at
 * the head of {@link #outstanding}: one sweep every {@link #SWEEP_INTERVAL} fails the expired ones
 * from the head, instead of a timer task per publish.
 *
 * <p>A return (unroutable) always arrives before the confirm of the same message, so the confirm
 * completes a returned publish exceptionally.
 */
public final class ConfirmingPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);
  private static final Duration SWEEP_INTERVAL = Duration.ofMillis(50);

  private final Channel channel;
  private final Duration deadline;
  private final Executor completions;
  private final ScheduledFuture<?> sweeper;
  private final ReentrantLock lock = new ReentrantLock();
  private final NavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
  private volatile boolean closed;

  public ConfirmingPublisher(
      Connection connection,
      Duration deadline,
      ScheduledExecutorService scheduler,
      Executor completions)
      throws IOException {
    this.channel = connection.createChannel();
    this.deadline = deadline;
    this.completions = completions;
    channel.confirmSelect();
    channel.addConfirmListener(
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
    channel.addReturnListener((ReturnListener) this::returned);
    channel.addShutdownListener(this::channelClosed);
    this.sweeper =
        scheduler.scheduleWithFixedDelay(
            this::failExpired,
            SWEEP_INTERVAL.toNanos(),
            SWEEP_INTERVAL.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Publishes and returns a future completed by the broker's confirm.
   *
   * @param eventId the event id, for exceptions
   * @param eventType the type name, for exceptions
   */
  public CompletableFuture<Void> publish(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType) {
    Pending pending =
        new Pending(
            eventId, eventType, exchange, routingKey, System.nanoTime() + deadline.toNanos());
    if (closed) {
      pending.future.completeExceptionally(
          PublishNotConfirmedException.failed(eventId, eventType, "the transport is closed", null));
      return pending.future;
    }
    lock.lock();
    try {
      outstanding.put(channel.getNextPublishSeqNo(), pending);
      channel.basicPublish(exchange, routingKey, true, properties, body);
    } catch (IOException | AlreadyClosedException e) {
      outstanding.values().remove(pending);
      pending.future.completeExceptionally(
          PublishNotConfirmedException.failed(
              eventId, eventType, "it could not be sent: " + Exceptions.describe(e), e));
      return pending.future;
    } finally {
      lock.unlock();
    }
    return pending.future;
  }

  /** How many publishes await their confirm. */
  public int outstanding() {
    return outstanding.size();
  }

  private void settle(long tag, boolean multiple, boolean acked) {
    if (multiple) {
      NavigableMap<Long, Pending> settled = outstanding.headMap(tag, true);
      for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
        if (settled.remove(entry.getKey(), entry.getValue())) {
          complete(entry.getValue(), acked);
        }
      }
    } else {
      Pending pending = outstanding.remove(tag);
      if (pending != null) {
        complete(pending, acked);
      }
    }
  }

  private void failExpired() {
    long now = System.nanoTime();
    for (Map.Entry<Long, Pending> head = outstanding.firstEntry();
        head != null && now - head.getValue().expiresAt >= 0;
        head = outstanding.higherEntry(head.getKey())) {
      Pending pending = head.getValue();
      if (outstanding.remove(head.getKey(), pending)) {
        fail(
            pending,
            PublishNotConfirmedException.timedOut(pending.eventId, pending.eventType, deadline));
      }
    }
  }

  private void complete(Pending pending, boolean acked) {
    if (!acked) {
      fail(pending, PublishNotConfirmedException.nacked(pending.eventId, pending.eventType));
    } else if (pending.replyText != null) {
      fail(
          pending,
          UnroutableEventException.returned(
              pending.eventId,
              pending.eventType,
              destination(pending.exchange, pending.routingKey),
              pending.replyText));
    } else {
      completions.execute(() -> pending.future.complete(null));
    }
  }

  private void fail(Pending pending, PublishException failure) {
    completions.execute(() -> pending.future.completeExceptionally(failure));
  }

  private void returned(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body) {
    String messageId = properties.getMessageId();
    for (Pending pending : outstanding.values()) {
      if (pending.replyText == null
          && pending.eventId.equals(messageId)
          && pending.exchange.equals(exchange)
          && pending.routingKey.equals(routingKey)) {
        pending.replyText = replyCode + " " + replyText;
        return;
      }
    }
    log.debug("Return for an unknown publish of {} to {}", messageId, routingKey);
  }

  private void channelClosed(ShutdownSignalException cause) {
    if (!outstanding.isEmpty()) {
      log.warn(
          "Publishing channel closed with {} publishes unconfirmed: {}",
          outstanding.size(),
          Exceptions.describe(cause));
    }
    failAll("the channel closed before the confirm arrived (" + Exceptions.describe(cause) + ")");
  }

  private void failAll(String why) {
    for (Long tag : outstanding.keySet()) {
      Pending pending = outstanding.remove(tag);
      if (pending != null) {
        fail(
            pending,
            PublishNotConfirmedException.failed(pending.eventId, pending.eventType, why, null));
      }
    }
  }

  /**
   * Stops accepting publishes, waits up to {@code timeout} for outstanding confirms, fails the rest
   * and closes the channel.
   */
  public void close(Duration timeout) {
    closed = true;
    sweeper.cancel(false);
    long until = System.nanoTime() + timeout.toNanos();
    while (!outstanding.isEmpty() && System.nanoTime() < until) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failAll("the transport closed before the confirm arrived");
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
      log.debug("Publishing channel did not close cleanly: {}", Exceptions.describe(e));
    }
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  private static String destination(String exchange, String routingKey) {
    return (exchange.isEmpty() ? "the default exchange" : "exchange '" + exchange + "'")
        + " with routing key '"
        + routingKey
        + "'";
  }

  private static final class Pending {
    final String eventId;
    final String eventType;
    final String exchange;
    final String routingKey;
    final long expiresAt;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    volatile @Nullable String replyText;

    Pending(String eventId, String eventType, String exchange, String routingKey, long expiresAt) {
      this.expiresAt = expiresAt;
      this.eventId = eventId;
      this.eventType = eventType;
      this.exchange = exchange;
      this.routingKey = routingKey;
    }
  }
}
