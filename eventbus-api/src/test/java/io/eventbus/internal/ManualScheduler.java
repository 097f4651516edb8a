package io.eventbus.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Scheduler} and a {@link Clock} on one manual time: {@link #advance} moves the time and
 * runs, on the calling thread, the tasks that became due, in order. Thread-safe.
 */
final class ManualScheduler extends Clock implements Scheduler {
  private final List<Task> tasks = new ArrayList<>();
  private Instant now;

  private static final class Task {
    final Instant due;
    final Runnable task;
    boolean cancelled;

    Task(Instant due, Runnable task) {
      this.due = due;
      this.task = task;
    }
  }

  ManualScheduler(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task scheduled = new Task(now.plus(delay), task);
    tasks.add(scheduled);
    return () -> {
      synchronized (this) {
        scheduled.cancelled = true;
      }
    };
  }

  /** Moves the time on by {@code duration}, running each task as its time comes. */
  void advance(Duration duration) {
    Instant until;
    synchronized (this) {
      until = now.plus(duration);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> !t.cancelled && !t.due.isAfter(until))
                .min((a, b) -> a.due.compareTo(b.due))
                .orElse(null);
        if (next == null) {
          now = until;
          return;
        }
        tasks.remove(next);
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      next.task.run();
    }
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized int pending() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
