package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.spring.boot.EventSubscription;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * An idempotent subscription: each order is handled once however often its event is delivered, and
 * the handler's writes and publishes commit with the inbox's record of the event, or not at all.
 */
@Component
@EventSubscription(value = "${it.scope}.shipping", idempotent = true)
class ShipmentHandlers {
  private final JdbcTemplate jdbc;
  private final EventPublisher publisher;

  ShipmentHandlers(JdbcTemplate jdbc, EventPublisher publisher) {
    this.jdbc = jdbc;
    this.publisher = publisher;
  }

  @EventHandler
  void on(OrderPlaced order, EventContext context) {
    jdbc.update( // joins the inbox's transaction
        "INSERT INTO shipments (order_id, attempt) VALUES (?, ?)",
        order.orderId(),
        context.attempt());
    publisher.publish(new ShipmentRequested(order.orderId())); // stored in that transaction too
  }
}
