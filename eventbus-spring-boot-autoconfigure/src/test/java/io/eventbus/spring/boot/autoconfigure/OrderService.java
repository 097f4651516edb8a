package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventPublisher;
import io.eventbus.PublishReceipt;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: an order's row and its event commit together, or neither does. */
@Service
public class OrderService {
  private final JdbcTemplate jdbc;
  private final EventPublisher publisher; // stores through the outbox inside a transaction

  OrderService(JdbcTemplate jdbc, EventPublisher publisher) {
    this.jdbc = jdbc;
    this.publisher = publisher;
  }

  @Transactional
  public PublishReceipt place(String orderId, int items) {
    // Stored in the outbox in this transaction; the relay publishes it after the commit.
    PublishReceipt stored = publisher.publishAndWait(new OrderPlaced(orderId, items));
    // An order placed twice violates the primary key: the transaction rolls back, and the event
    // stored above with it, so it is never published.
    jdbc.update("INSERT INTO orders (order_id, items) VALUES (?, ?)", orderId, items);
    return stored;
  }
}
