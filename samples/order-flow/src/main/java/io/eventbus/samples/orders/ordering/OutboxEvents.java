package io.eventbus.samples.orders.ordering;

import io.eventbus.PublishOptions;
import io.eventbus.jdbc.Outbox;
import io.eventbus.jdbc.StoredEvent;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;

/**
 * The order service's events through the transactional outbox: placing an order inserts it and
 * stores {@link OrderPlaced} in one transaction; taking its payment marks it paid and stores {@link
 * PaymentCompleted} in another. Each event is published by the outbox's relay after its commit, and
 * never for a transaction that rolled back. Both events carry the order id as partition key, so the
 * relay sends them in commit order.
 */
public final class OutboxEvents implements OrderService.Events {
  private final DataSource dataSource;
  private final Outbox outbox;

  public OutboxEvents(DataSource dataSource, Outbox outbox) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
  }

  /** Sent means stored: the relay publishes the event after the commit. */
  @Override
  public OrderService.Delivery delivery() {
    return OrderService.Delivery.STORED;
  }

  /** How many events this process's relay has had confirmed by the broker and marked sent. */
  public long relayed() {
    return outbox.status().relayed();
  }

  @Override
  public CompletionStage<StoredEvent> send(Object event, PublishOptions options) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (event instanceof OrderPlaced order) {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO orders (order_id, customer, total) VALUES (?, ?, ?)")) {
            insert.setString(1, order.orderId());
            insert.setString(2, order.customerEmail());
            insert.setBigDecimal(3, order.total());
            insert.executeUpdate();
          }
        } else if (event instanceof PaymentCompleted payment) {
          try (PreparedStatement update =
              connection.prepareStatement("UPDATE orders SET paid = true WHERE order_id = ?")) {
            update.setString(1, payment.orderId());
            update.executeUpdate();
          }
        }
        StoredEvent stored = outbox.store(connection, event, options);
        connection.commit();
        return CompletableFuture.completedFuture(stored);
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
