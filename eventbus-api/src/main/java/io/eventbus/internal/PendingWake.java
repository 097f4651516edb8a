package io.eventbus.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One pending wake-up that a later one replaces: when it is due, and the task the {@link Scheduler}
 * runs then, which learns from {@link #fire} whether it is still the latest. A {@link Circuit} has
 * two: the end of its back-off and its next probe.
 *
 * <p>Not thread-safe: its circuit calls it under its lock.
 */
final class PendingWake {
  private final Clock clock;
  private final Scheduler scheduler;
  private @Nullable Instant due;
  private long generation;
  private Scheduler.@Nullable Cancellable wake;

  PendingWake(Clock clock, Scheduler scheduler) {
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * Wakes in {@code wait} from now, replacing (and cancelling) any pending wake-up: the scheduler
   * then calls {@code onWake} with a token for {@link #fire}.
   *
   * @return whether none was pending
   */
  boolean schedule(Duration wait, LongConsumer onWake) {
    boolean none = due == null;
    long token = ++generation;
    due = clock.instant().plus(wait);
    cancel();
    wake = scheduler.schedule(wait, () -> onWake.accept(token));
    return none;
  }

  /**
   * The wake-up with {@code token} runs: if it is the latest, nothing is pending any more.
   *
   * @return whether it is the latest (a replaced one must do nothing)
   */
  boolean fire(long token) {
    if (token != generation) {
      return false;
    }
    due = null;
    wake = null;
    return true;
  }

  /** Cancels the pending wake-up and forgets it. */
  void clear() {
    cancel();
    wake = null;
    due = null;
  }

  /** Cancels the pending wake-up (closing); {@link #due} still tells when it was due. */
  void cancel() {
    if (wake != null) {
      wake.cancel();
    }
  }

  /** When the pending wake-up is due, or null if none is pending. */
  @Nullable Instant due() {
    return due;
  }
}
