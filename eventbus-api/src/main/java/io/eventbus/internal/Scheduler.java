package io.eventbus.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task after a delay: how a paused subscription is woken to probe or resume. Production uses
 * {@link #shared()}, one daemon thread for every bus; tests inject one they run by hand.
 */
interface Scheduler {
  /** A scheduled task that may still be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run yet. */
    void cancel();
  }

  /** Runs {@code task} once after {@code delay}, on the scheduler's thread. */
  Cancellable schedule(Duration delay, Runnable task);

  /** The shared scheduler: a daemon thread {@code eventbus-resilience}, started on first use. */
  static Scheduler shared() {
    return Shared.INSTANCE;
  }

  /** Created on first use. A task that throws is logged; the thread goes on. */
  final class Shared implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    static final Shared INSTANCE = new Shared();

    private final ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "eventbus-resilience");
              thread.setDaemon(true);
              return thread;
            });

    private Shared() {}

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      ScheduledFuture<?> future =
          executor.schedule(
              () -> {
                try {
                  task.run();
                } catch (RuntimeException e) {
                  log.error("A scheduled resilience task failed", e);
                }
              },
              Math.max(0, delay.toNanos()),
              TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    }
  }
}
