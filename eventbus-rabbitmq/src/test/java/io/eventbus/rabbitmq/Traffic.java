package io.eventbus.rabbitmq;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.testkit.DeliveryLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Events, a ledger-recording handler and a multi-threaded publisher for the fault tests. */
final class Traffic {
  private Traffic() {}

  @EventType("rs.order.placed.v1")
  record OrderPlaced(String orderId, int sequence) {}

  /** Records every handled event in the ledger under {@code subscription}. */
  static final class LedgerHandler {
    private final DeliveryLedger ledger;
    private final String subscription;

    LedgerHandler(DeliveryLedger ledger, String subscription) {
      this.ledger = ledger;
      this.subscription = subscription;
    }

    @EventHandler
    void on(OrderPlaced event, io.eventbus.EventContext context) {
      ledger.recordHandled(subscription, context.metadata().id());
    }
  }

  /**
   * Publishes {@code perThread} events from each of {@code threads} threads, at most {@code window}
   * unconfirmed per thread, recording every publish in the ledger; returns when all have settled.
   */
  static void publish(EventBus bus, DeliveryLedger ledger, int threads, int perThread, int window)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(
            pool.submit(
                () -> {
                  Semaphore permits = new Semaphore(window);
                  for (int i = 0; i < perThread; i++) {
                    permits.acquire();
                    bus.publish(new OrderPlaced("t" + thread, i))
                        .whenComplete(
                            (receipt, failure) -> {
                              if (failure == null) {
                                ledger.recordPublished(receipt.eventId());
                                ledger.recordConfirmed(receipt.eventId());
                              } else {
                                ledger.recordPublishFailed(
                                    "failed-" + thread + "-" + System.nanoTime());
                              }
                              permits.release();
                            });
                  }
                  permits.acquire(window);
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        worker.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
