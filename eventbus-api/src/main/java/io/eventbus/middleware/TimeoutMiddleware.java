package io.eventbus.middleware;

import io.eventbus.EventBusConfigurationException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Interrupts an attempt that runs past its time and fails it with a {@link TimeoutException}. */
final class TimeoutMiddleware implements Middleware {
  private final Duration timeout;
  private final ScheduledExecutorService timer;

  TimeoutMiddleware(Duration timeout, ScheduledExecutorService timer) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw EventBusConfigurationException.invalid("timeout", "must be positive", timeout);
    }
    this.timeout = timeout;
    this.timer = timer;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain chain) throws Exception {
    Thread worker = Thread.currentThread();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean expired = new AtomicBoolean();
    ScheduledFuture<?> alarm =
        timer.schedule(
            () -> {
              synchronized (running) {
                if (running.get()) {
                  expired.set(true);
                  worker.interrupt();
                }
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    Exception failure = null;
    try {
      chain.proceed(delivery);
    } catch (Exception e) {
      failure = e;
    } finally {
      alarm.cancel(false);
      synchronized (running) {
        running.set(false);
      }
    }
    if (expired.get()) {
      Thread.interrupted();
      TimeoutException timedOut =
          new TimeoutException("Attempt " + delivery.attempt() + " took longer than " + timeout);
      if (failure != null) {
        timedOut.addSuppressed(failure);
      }
      throw timedOut;
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "timeout(" + timeout + ")";
  }

  static ScheduledExecutorService sharedTimer() {
    return SharedTimer.TIMER;
  }

  /** Created on first use; one daemon thread for all timeouts without a timer of their own. */
  private static final class SharedTimer {
    static final ScheduledExecutorService TIMER =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "eventbus-timeouts");
              thread.setDaemon(true);
              return thread;
            });
  }
}
