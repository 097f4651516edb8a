package io.eventbus.rabbitmq;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.PartitionKey;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Events and handlers shared by the integration tests. */
final class TestEvents {
  private TestEvents() {}

  @EventType("it.order.placed.v1")
  record OrderPlaced(String orderId, BigDecimal total, Instant placedAt, List<String> items) {}

  @EventType("it.payment.completed.v1")
  record PaymentCompleted(String orderId, long amountCents) {}

  @EventType("it.shipment.dispatched.v1")
  record ShipmentDispatched(String orderId, String carrier) {}

  @EventType("it.account.changed.v1")
  record AccountChanged(@PartitionKey String account, int sequence) {}

  /** What a handler saw: the event and its context. */
  record Handled(Object event, EventContext context) {}

  /** Records every event it handles; waits with a timeout. */
  static class Recorder {
    final BlockingQueue<Handled> handled = new LinkedBlockingQueue<>();

    @EventHandler
    void on(OrderPlaced event, EventContext context) {
      handled.add(new Handled(event, context));
    }

    @EventHandler
    void on(PaymentCompleted event, EventContext context) {
      handled.add(new Handled(event, context));
    }

    @EventHandler
    void on(ShipmentDispatched event, EventContext context) {
      handled.add(new Handled(event, context));
    }

    /**
     * The next {@code count} handled events, failing if they do not arrive within {@code timeout}.
     */
    List<Handled> await(int count, Duration timeout) throws InterruptedException {
      List<Handled> result = new ArrayList<>();
      long until = System.nanoTime() + timeout.toNanos();
      while (result.size() < count) {
        Handled next = handled.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError(
              "Expected " + count + " handled events within " + timeout + " but got " + result);
        }
        result.add(next);
      }
      return result;
    }
  }
}
