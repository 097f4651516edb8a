package io.eventbus.jdbc;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Polls a value until it satisfies a condition, or fails after a timeout. */
final class Await {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Await() {}

  static <T> T until(String what, Callable<T> value, Predicate<T> condition) throws Exception {
    long until = System.nanoTime() + TIMEOUT.toNanos();
    T current = value.call();
    while (!condition.test(current)) {
      if (System.nanoTime() > until) {
        throw new AssertionError("Expected " + what + " within " + TIMEOUT + " but was " + current);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      current = value.call();
    }
    return current;
  }
}
