package io.eventbus.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * Sends on a fixed schedule: event {@code i} is due at {@code start + i / rate}. A sender that
 * falls behind sends the late events at once, each still carrying its due time, so that latency
 * measured from the due time includes the wait the schedule imposed (no coordinated omission).
 */
final class FixedRate {
  private FixedRate() {}

  /** One send: event number {@code i}, due at {@code intendedNanos}. */
  @FunctionalInterface
  interface Sender {
    void send(long i, long intendedNanos) throws Exception;
  }

  /** Sends from {@code startNanos} until {@code endNanos} at {@code rate} per second; the count. */
  static long run(long startNanos, long endNanos, int rate, Sender sender) throws Exception {
    double periodNanos = 1e9 / rate;
    long i = 0;
    while (true) {
      long intended = startNanos + (long) (i * periodNanos);
      if (intended >= endNanos || Thread.currentThread().isInterrupted()) {
        return i;
      }
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      sender.send(i, intended);
      i++;
    }
  }
}
