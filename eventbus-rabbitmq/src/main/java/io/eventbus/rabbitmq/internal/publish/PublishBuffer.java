package io.eventbus.rabbitmq.internal.publish;

import io.eventbus.PublishBufferFullException;
import io.eventbus.PublishNotConfirmedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Holds the events waiting to be sent, in order, and admits a new one only while it stays within
 * its bounds by count and by body bytes.
 *
 * <p>Callers append at the back from any thread; the sender takes batches from the front and puts
 * events back at the front when their channel dies; nack retries and events sent again after a gap
 * in the topology come back at the back; the sweep removes expired events. One lock guards it, and
 * its condition is also how the sender is woken for anything it waits for (new events, room in the
 * window, a channel or an unblocked connection).
 *
 * <p>Admission ends with {@link #close()}; the sender's loop ends with {@link #stop()}.
 */
final class PublishBuffer {
  private final int maxEvents;
  private final long maxBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Publish> queue = new ArrayDeque<>(); // guarded by lock
  private long bytes; // guarded by lock
  private boolean closed; // guarded by lock
  private boolean stopped; // guarded by lock

  PublishBuffer(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  /**
   * Appends {@code publish} at the back, or fails its future at once: with {@link
   * PublishBufferFullException} if it does not fit, with {@link PublishNotConfirmedException} once
   * closed. An empty buffer admits one event even if it is larger than the byte bound.
   *
   * @return whether it was admitted
   */
  boolean offer(Publish publish) {
    lock.lock();
    try {
      if (closed) {
        publish.future.completeExceptionally(
            PublishNotConfirmedException.failed(
                publish.eventId, publish.eventType, "the transport is closed", null));
        return false;
      }
      // An event larger than the byte bound on its own (a copy of a large received message) is
      // admitted into an empty buffer, so that it is not refused as "full" forever.
      if (queue.size() >= maxEvents
          || (bytes + publish.body.length > maxBytes && !queue.isEmpty())) {
        publish.future.completeExceptionally(
            PublishBufferFullException.of(
                publish.eventId,
                publish.eventType,
                queue.size(),
                bytes,
                maxEvents + " events, " + maxBytes + " bytes"));
        return false;
      }
      queue.addLast(publish);
      bytes += publish.body.length;
      if (queue.size() == 1) {
        changed.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes up to {@code max} events from the front as soon as there are some, {@code canSend} holds
   * and {@code room} is positive (at most {@code room} of them); otherwise waits once, up to {@code
   * waitNanos} or until woken, and tries again.
   *
   * @return the events taken, empty if none could be taken, or null once stopped
   */
  @Nullable List<Publish> awaitBatch(
      int max, IntSupplier room, BooleanSupplier canSend, long waitNanos)
      throws InterruptedException {
    lock.lock();
    try {
      for (boolean waited = false; ; waited = true) {
        if (stopped) {
          return null;
        }
        if (!queue.isEmpty() && canSend.getAsBoolean()) {
          int size = Math.min(Math.min(max, room.getAsInt()), queue.size());
          if (size > 0) {
            List<Publish> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
              Publish publish = queue.pollFirst();
              bytes -= publish.body.length;
              batch.add(publish);
            }
            return batch;
          }
        }
        if (waited) {
          return List.of();
        }
        changed.awaitNanos(waitNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts {@code publishes} back at the front, in their order, skipping those already done.
   *
   * @return how many were put back
   */
  int requeueFront(List<Publish> publishes) {
    int count = 0;
    lock.lock();
    try {
      for (int i = publishes.size() - 1; i >= 0; i--) {
        Publish publish = publishes.get(i);
        if (!publish.future.isDone()) {
          queue.addFirst(publish);
          bytes += publish.body.length;
          count++;
        }
      }
      if (count > 0) {
        changed.signalAll();
      }
      return count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts {@code publish} back at the back (a retry after a nack, or after its topology was declared
   * again), unless it is done or the sender has stopped. Bounds are not checked: the event was
   * admitted once and counts as in flight.
   *
   * @return whether it was put back
   */
  boolean requeueBack(Publish publish) {
    lock.lock();
    try {
      if (!publish.future.isDone() && !stopped) {
        queue.addLast(publish);
        bytes += publish.body.length;
        changed.signalAll();
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns the events whose deadline has passed at {@code now}, in order. */
  List<Publish> removeExpired(long now) {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        return List.of();
      }
      List<Publish> expired = new ArrayList<>();
      queue.removeIf(
          publish -> {
            if (!publish.expired(now)) {
              return false;
            }
            bytes -= publish.body.length;
            expired.add(publish);
            return true;
          });
      return expired;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the sender, so that it looks at its channel, the window and the buffer again. */
  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Refuses every further {@link #offer}. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the buffer is empty and {@code outstanding} reports none, or {@code ticker} passes
   * {@code deadline}, looking again at least every 10 ms.
   */
  void awaitDrained(IntSupplier outstanding, Ticker ticker, long deadline)
      throws InterruptedException {
    lock.lock();
    try {
      while ((!queue.isEmpty() || outstanding.getAsInt() > 0) && ticker.nanos() - deadline < 0) {
        changed.await(10, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Ends the sender's loop: {@link #awaitBatch} returns null from now on. */
  void stop() {
    lock.lock();
    try {
      stopped = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns every event, in order. */
  List<Publish> drain() {
    lock.lock();
    try {
      List<Publish> all = new ArrayList<>(queue);
      queue.clear();
      bytes = 0;
      return all;
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  long bytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }
}
