package io.eventbus.internal;

import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The {@code CONCURRENCY_LIMIT} stage, a bulkhead: at most so many deliveries of the subscription,
 * and of each limited event type, run the rest of the chain at once in this process. The others
 * wait, holding their delivery (so the broker sends no more than the prefetch), without spinning;
 * the type's limit is taken first, so a delivery waiting for its type holds no place of the
 * subscription's. When the subscription closes, waiting deliveries are returned to their queue.
 */
final class ConcurrencyLimitLink implements Link, AutoCloseable {
  private final @Nullable Limit subscriptionLimit;
  private final Map<String, Limit> typeLimits;
  private final @Nullable ConsumerTelemetry telemetry;

  ConcurrencyLimitLink(
      @Nullable Integer subscriptionLimit,
      Map<String, Integer> typeLimits,
      @Nullable ConsumerTelemetry telemetry) {
    this.subscriptionLimit = subscriptionLimit == null ? null : new Limit(subscriptionLimit);
    Map<String, Limit> limits = new HashMap<>();
    typeLimits.forEach((type, max) -> limits.put(type, new Limit(max)));
    this.typeLimits = Map.copyOf(limits);
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    List<Limit> taken = new ArrayList<>(2);
    long start = System.nanoTime();
    try {
      Limit typeLimit = typeLimits.get(delivery.metadata().type());
      for (Limit limit : new Limit[] {typeLimit, subscriptionLimit}) {
        if (limit == null) {
          continue;
        }
        if (!limit.acquire()) {
          state.requeue();
          return;
        }
        taken.add(limit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      taken.forEach(Limit::release);
      state.requeue();
      return;
    }
    try {
      if (telemetry != null) {
        telemetry.recordLimiterWait(
            state.names(telemetry), "concurrency", System.nanoTime() - start);
      }
      next.proceed(delivery);
    } finally {
      taken.forEach(Limit::release);
    }
  }

  /** The most deliveries running at once under the subscription's limit, for tests. */
  @Nullable Limit subscriptionLimit() {
    return subscriptionLimit;
  }

  /** Wakes every waiting delivery, which then goes back to its queue. */
  @Override
  public void close() {
    if (subscriptionLimit != null) {
      subscriptionLimit.close();
    }
    typeLimits.values().forEach(Limit::close);
  }

  /** A counting gate: a semaphore that can be closed. */
  static final class Limit {
    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private int running;
    private boolean closed;

    Limit(int max) {
      this.max = max;
    }

    /** Takes a place, waiting for one; false if the limit was closed meanwhile. */
    boolean acquire() throws InterruptedException {
      lock.lock();
      try {
        while (running >= max && !closed) {
          freed.await();
        }
        if (closed) {
          return false;
        }
        running++;
        return true;
      } finally {
        lock.unlock();
      }
    }

    void release() {
      lock.lock();
      try {
        running--;
        freed.signal();
      } finally {
        lock.unlock();
      }
    }

    int running() {
      lock.lock();
      try {
        return running;
      } finally {
        lock.unlock();
      }
    }

    void close() {
      lock.lock();
      try {
        closed = true;
        freed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
