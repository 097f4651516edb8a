package io.eventbus.rabbitmq.internal.publish;

/**
 * A source of monotonic time in nanoseconds, read for deadlines; injected so that tests move time
 * instead of waiting for it.
 */
@FunctionalInterface
interface Ticker {
  /** The current time in nanoseconds, comparable only with other readings of this ticker. */
  long nanos();

  /** The JVM's monotonic clock, {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
