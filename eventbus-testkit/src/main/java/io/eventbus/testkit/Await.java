package io.eventbus.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Waits, with a timeout, for something a test cannot be told about: a queue count, a metric, a
 * health status. The one poll loop of the project's tests; prefer an event-driven wait where there
 * is one ({@link EventRecorder}'s {@code await*}, {@link DeliveryLedger}).
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(10), () -> transport.status().nackRetries() > 0,
 *     "a nack retry");
 * long parked = Await.until(Duration.ofSeconds(10), deadLetters::count, n -> n == 3,
 *     "three parked events");
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless; the condition is evaluated on the calling thread only.
 *
 * <h2>Failures</h2>
 *
 * When the timeout passes, an {@link AssertionError} names what was awaited and, for a value, the
 * last one seen. An exception from the condition fails the wait at once, unchanged. An interrupt
 * fails it with an {@link AssertionError} and keeps the thread's interrupt flag.
 */
public final class Await {
  /** How often a condition is polled, at most. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  private Await() {}

  /** A condition that may throw while it looks. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A value that may throw while it is read. */
  @FunctionalInterface
  public interface Probe<T> {
    T read() throws Exception;
  }

  /**
   * Returns once {@code condition} holds; polls it every few milliseconds.
   *
   * @param description what is awaited, for the failure message ("a nack retry")
   * @throws AssertionError if it does not hold within {@code timeout}
   */
  public static void until(Duration timeout, Condition condition, String description) {
    Objects.requireNonNull(condition, "condition");
    until(timeout, condition::holds, Boolean::booleanValue, description);
  }

  /**
   * Returns the first value of {@code probe} that {@code done} accepts; polls it every few
   * milliseconds.
   *
   * @param description what is awaited, for the failure message
   * @throws AssertionError naming the last value read if none is accepted within {@code timeout}
   */
  public static <T> T until(
      Duration timeout, Probe<T> probe, Predicate<? super T> done, String description) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(done, "done");
    Objects.requireNonNull(description, "description");
    long deadline = System.nanoTime() + timeout.toNanos();
    @Nullable T last;
    while (true) {
      last = read(probe);
      if (done.test(last)) {
        return last;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "Expected " + description + " within " + timeout + "; last seen: " + last);
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, POLL_INTERVAL.toNanos()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for " + description, e);
      }
    }
  }

  private static <T> T read(Probe<T> probe) {
    try {
      return probe.read();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("Could not read the awaited value: " + e, e);
    }
  }
}
