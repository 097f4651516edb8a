package io.eventbus.rabbitmq.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the deliveries a consumer is handling right now, so that closing can wait for them.
 *
 * <p>Thread-safe: consumer threads enter and leave, the closing thread waits.
 */
public final class InFlight {
  private final AtomicInteger count = new AtomicInteger();

  /** A delivery started. */
  public void enter() {
    count.incrementAndGet();
  }

  /** A delivery ended (settled, requeued or given up). */
  public void leave() {
    count.decrementAndGet();
  }

  /** How many are in flight right now. */
  public int count() {
    return count.get();
  }

  /**
   * Waits until none is in flight, at most {@code timeout}, looking every 5 ms; an interrupt ends
   * the wait early (and is kept).
   *
   * @return true if none is in flight
   */
  public boolean awaitNone(Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    while (count.get() > 0 && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return count.get() == 0;
  }
}
