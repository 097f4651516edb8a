package io.eventbus.jdbc;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides which stores of one outbox notify the relays on commit: at most one per {@link #SPACING}
 * (10 ms). Every notifying commit holds PostgreSQL's database-wide notification lock through its
 * WAL flush, which serialises such commits; relays that were woken keep scanning while they find
 * rows and look again shortly after their last find, so the rows of a skipped notification are
 * found all the same. Thread-safe.
 */
final class NotifyThrottle {
  /** The least time between two notifying stores, in nanoseconds. */
  static final long SPACING = 10_000_000L;

  private final boolean enabled;
  private final LongSupplier nanoTime;
  private final AtomicLong last;

  /**
   * @param enabled whether stores notify at all ({@code Outbox.Builder.notifyOnCommit})
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   */
  NotifyThrottle(boolean enabled, LongSupplier nanoTime) {
    this.enabled = enabled;
    this.nanoTime = nanoTime;
    this.last = new AtomicLong(nanoTime.getAsLong() - SPACING);
  }

  /** Whether this store should notify: notifications are on and none was taken in 10 ms. */
  boolean take() {
    if (!enabled) {
      return false;
    }
    long now = nanoTime.getAsLong();
    long previous = last.get();
    return now - previous >= SPACING && last.compareAndSet(previous, now);
  }
}
