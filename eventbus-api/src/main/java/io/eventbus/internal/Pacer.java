package io.eventbus.internal;

/**
 * Spaces events evenly: at most one per interval, with a tolerance of one interval for an event
 * that comes late (so two may start together). The generic cell rate algorithm by virtual
 * scheduling: it keeps one number, the theoretical arrival time of the next event, and no tokens.
 *
 * <p>Times are monotonic nanoseconds ({@code System.nanoTime()}, or a test's), never the wall
 * clock: a clock that jumps would stall or burst the rate. Thread-safe.
 */
final class Pacer {
  private final long intervalNanos;
  private final long toleranceNanos;
  private boolean started;
  private long theoreticalArrival;

  Pacer(long intervalNanos) {
    if (intervalNanos < 1) {
      throw new IllegalArgumentException("interval must be positive, was " + intervalNanos);
    }
    this.intervalNanos = intervalNanos;
    this.toleranceNanos = intervalNanos;
  }

  /**
   * Reserves the next slot for an event arriving at {@code now}; returns how long it must wait (0:
   * go now).
   */
  synchronized long reserve(long now) {
    if (!started) {
      started = true;
      theoreticalArrival = now;
    }
    long start = Math.max(now, theoreticalArrival - toleranceNanos);
    theoreticalArrival = Math.max(start, theoreticalArrival) + intervalNanos;
    return start - now;
  }
}
