package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import io.eventbus.rabbitmq.internal.Exceptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread's loop: while the channel is usable and the outstanding window has room, takes
 * batches of up to {@value #MAX_BATCH} events from the buffer and publishes each with {@code
 * mandatory}, recording it under its sequence number first.
 *
 * <p>This is the channel-ownership rule: amqp-client channels must not publish from two threads,
 * and reading the sequence number and publishing must be one step. One thread makes both true
 * without a lock on the hot path, and lets a batch go out in one burst. When the channel dies, the
 * events sent on it and not confirmed go back to the front of the buffer, in order, and are sent
 * again on the next channel.
 */
final class Sender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Sender.class);

  /** The most events taken from the buffer at once. */
  static final int MAX_BATCH = 256;

  private final PublishBuffer buffer;
  private final OutstandingConfirms outstanding;
  private final int window;
  private final long idleWaitNanos;
  private final IntSupplier room;
  private final AtomicLong resent = new AtomicLong();
  private volatile boolean blocked;
  private @Nullable PublishingChannel channel;
  private @Nullable Thread thread;

  /**
   * @param window the most outstanding events
   * @param idleWait how long the loop waits for anything to do before it looks at the channel again
   */
  Sender(PublishBuffer buffer, OutstandingConfirms outstanding, int window, Duration idleWait) {
    this.buffer = buffer;
    this.outstanding = outstanding;
    this.window = window;
    this.idleWaitNanos = idleWait.toNanos();
    this.room = () -> window - outstanding.size();
  }

  /** Gives the sender its channel; called once, before {@link #start}. */
  void channel(PublishingChannel channel) {
    this.channel = channel;
  }

  /** Starts the sender thread. */
  void start(ThreadFactory threads) {
    Thread started = threads.newThread(this);
    thread = started;
    started.start();
  }

  /**
   * Waits up to {@code timeout} for the sender thread to end (after {@link PublishBuffer#stop}).
   */
  void join(Duration timeout) throws InterruptedException {
    Thread started = thread;
    if (started != null) {
      started.join(Math.max(1, timeout.toMillis()));
    }
  }

  /** Whether the broker blocks the connection (a resource alarm): nothing is sent meanwhile. */
  boolean blocked() {
    return blocked;
  }

  void blocked(boolean blocked) {
    this.blocked = blocked;
    buffer.wake();
  }

  /** Events sent again after their channel died, since the start. */
  long resent() {
    return resent.get();
  }

  @Override
  public void run() {
    PublishingChannel publishing = channel;
    if (publishing == null) {
      throw new IllegalStateException("The sender has no channel");
    }
    try {
      while (true) {
        Channel current = publishing.usable();
        List<Publish> batch =
            current == null
                ? buffer.awaitBatch(0, () -> 0, () -> false, idleWaitNanos)
                : buffer.awaitBatch(
                    MAX_BATCH, room, () -> current.isOpen() && !blocked, idleWaitNanos);
        if (batch == null) {
          return;
        }
        if (current != null && !batch.isEmpty()) {
          send(current, batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error("The publisher thread failed; publishing stops", e);
      throw e;
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
      outstanding.add(sequence, publish);
      try {
        current.basicPublish(
            publish.exchange, publish.routingKey, true, publish.properties, publish.body);
      } catch (IOException | AlreadyClosedException e) {
        // The channel is going away: this event stays outstanding and is re-sent with the rest
        // once a new channel is open; the remainder of the batch goes back to the buffer first.
        log.debug("Publishing channel failed: {}", Exceptions.describe(e));
        buffer.requeueFront(batch.subList(i + 1, batch.size()));
        return;
      }
    }
  }

  /** Moves every unconfirmed event of the dead channel to the front of the buffer, in order. */
  void requeueOutstanding() {
    List<Publish> unconfirmed = outstanding.removeAll();
    if (!unconfirmed.isEmpty()) {
      log.info("Re-sending {} unconfirmed events after a lost channel", unconfirmed.size());
      resent.addAndGet(buffer.requeueFront(unconfirmed));
    }
  }
}
