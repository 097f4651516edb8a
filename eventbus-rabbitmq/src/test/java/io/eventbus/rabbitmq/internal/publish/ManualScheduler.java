package io.eventbus.rabbitmq.internal.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time only moves when the test calls {@link #advance}: tasks run on the test's
 * thread, in the order they fall due. It is also the {@link Ticker} of the code under test, so
 * deadlines and back-offs are tested without waiting. Implements what the publisher uses ({@code
 * schedule} of a runnable, {@code scheduleWithFixedDelay}, {@code execute}); the rest throws.
 */
final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService, Ticker {
  private final List<Task> tasks = new ArrayList<>(); // guarded by this
  private long now = 1_000_000_000L; // guarded by this; any start works, the ticker is relative
  private long order; // guarded by this

  @Override
  public synchronized long nanos() {
    return now;
  }

  /** Moves time on by {@code duration}, running every task that falls due, in order. */
  void advance(Duration duration) {
    long until;
    synchronized (this) {
      until = now + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(task -> task.due - until <= 0)
                .min(Comparator.comparingLong((Task task) -> task.due).thenComparing(t -> t.order))
                .orElse(null);
        if (next == null) {
          now = until;
          return;
        }
        tasks.remove(next);
        if (next.due - now > 0) {
          now = next.due;
        }
      }
      next.command.run();
      synchronized (this) {
        if (next.period > 0 && !next.cancelled) {
          next.due = now + next.period;
          tasks.add(next);
        }
      }
    }
  }

  /** How many tasks wait to fall due (periodic ones included). */
  synchronized int pending() {
    return tasks.size();
  }

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(command, unit.toNanos(delay), 0);
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(command, unit.toNanos(initialDelay), unit.toNanos(delay));
  }

  private Task add(Runnable command, long delayNanos, long periodNanos) {
    Task task = new Task(command, now + Math.max(0, delayNanos), periodNanos, order++);
    tasks.add(task);
    return task;
  }

  /** Runs {@code command} at once, on the caller's thread. */
  @Override
  public void execute(Runnable command) {
    command.run();
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("ManualScheduler does not implement this");
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("ManualScheduler does not implement this");
  }

  @Override
  public void shutdown() {
    throw new UnsupportedOperationException("ManualScheduler does not implement this");
  }

  @Override
  public List<Runnable> shutdownNow() {
    throw new UnsupportedOperationException("ManualScheduler does not implement this");
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("ManualScheduler does not implement this");
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable command;
    final long period;
    final long order;
    long due; // guarded by the scheduler
    volatile boolean cancelled;

    Task(Runnable command, long due, long period, long order) {
      this.command = command;
      this.due = due;
      this.period = period;
      this.order = order;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (ManualScheduler.this) {
        cancelled = true;
        return tasks.remove(this);
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      synchronized (ManualScheduler.this) {
        return unit.convert(due - now, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException("ManualScheduler does not implement this");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("ManualScheduler does not implement this");
    }
  }
}
