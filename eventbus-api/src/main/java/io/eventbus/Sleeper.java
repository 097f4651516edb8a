package io.eventbus;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits on the calling thread: the bus's in-process retries wait between attempts through it.
 * {@link EventBus.Builder#sleeper(Sleeper)} injects one, so that tests of retries never really
 * sleep.
 *
 * <pre>{@code
 * List<Duration> waits = new CopyOnWriteArrayList<>();
 * EventBus bus = EventBus.builder().transport(transport).sleeper(waits::add).build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Called from the threads that run handlers, possibly several at once: implementations are
 * thread-safe.
 *
 * <h2>Failures</h2>
 *
 * {@link #sleep} throws {@link InterruptedException} when the thread is interrupted (the
 * subscription is closing, or a timeout fired); the retry then stops and the delivery fails.
 */
@FunctionalInterface
public interface Sleeper {
  /** Waits {@code duration}, or returns early by throwing when interrupted. */
  void sleep(Duration duration) throws InterruptedException;

  /** The real one: {@link Thread#sleep}. */
  static Sleeper system() {
    return duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
  }
}
