package io.eventbus.rabbitmq;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.PartitionKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Events and a handler shared by this module's tests: the one TestEvents of the test tree. */
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

  /**
   * Handles the three order-flow types and keeps what each handler call saw, for assertions on the
   * {@link EventContext} (attempt, metadata). Tests await outcomes with the fixture's recorder, not
   * with this.
   */
  static class Accepting {
    final List<Object> events = new CopyOnWriteArrayList<>();
    final List<EventContext> contexts = new CopyOnWriteArrayList<>();

    @EventHandler
    void on(OrderPlaced event, EventContext context) {
      seen(event, context);
    }

    @EventHandler
    void on(PaymentCompleted event, EventContext context) {
      seen(event, context);
    }

    @EventHandler
    void on(ShipmentDispatched event, EventContext context) {
      seen(event, context);
    }

    void seen(Object event, EventContext context) {
      events.add(event);
      contexts.add(context);
    }
  }
}
