package io.eventbus.rabbitmq;

import io.eventbus.EventBus;
import io.eventbus.rabbitmq.Traffic.OrderPlaced;
import io.eventbus.testkit.DeliveryLedger;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady stream of {@link Traffic}'s events through a bus until closed, every publish in a
 * ledger: for tests that change something on the broker while the bus runs (a password, a token).
 */
final class SteadyTraffic implements AutoCloseable {
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final Future<?> running;
  private final AtomicInteger published = new AtomicInteger();
  private volatile boolean stopped;

  /** Publishes one event every {@code interval} (at most 100 unconfirmed) until closed. */
  SteadyTraffic(EventBus bus, DeliveryLedger ledger, Duration interval) {
    running =
        thread.submit(
            () -> {
              Semaphore window = new Semaphore(100);
              int sequence = 0;
              while (!stopped) {
                window.acquire();
                bus.publish(new OrderPlaced("steady", sequence++))
                    .whenComplete(
                        (receipt, failure) -> {
                          if (failure == null) {
                            ledger.recordPublished(receipt.eventId());
                            ledger.recordConfirmed(receipt.eventId());
                          } else {
                            ledger.recordPublishFailed("failed-" + System.nanoTime());
                          }
                          window.release();
                        });
                published.incrementAndGet();
                // Paces the stream; nothing is awaited here.
                TimeUnit.NANOSECONDS.sleep(interval.toNanos());
              }
              window.acquire(100);
              return null;
            });
  }

  /** How many publishes were started. */
  int published() {
    return published.get();
  }

  /** Stops publishing and waits until every publish has settled. */
  @Override
  public void close()
      throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    stopped = true;
    try {
      running.get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the flow settled", e);
    } finally {
      thread.shutdownNow();
    }
  }
}
