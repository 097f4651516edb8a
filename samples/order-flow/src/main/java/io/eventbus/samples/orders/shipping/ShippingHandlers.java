package io.eventbus.samples.orders.shipping;

import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.SubscriptionOptions;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.jdbc.JdbcTransaction;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shipping service: checks each placed order, and dispatches it once it is paid.
 *
 * <p>It needs an order's {@link OrderPlaced} before its {@link PaymentCompleted}, so it subscribes
 * {@link Ordering#PARTITIONED partitioned} by order id: events of one order arrive in publish
 * order, different orders are shipped in parallel.
 *
 * <p>With PostgreSQL the subscription has the inbox: each event is handled once, and a dispatched
 * shipment is recorded in the inbox's transaction ({@link JdbcTransaction}). Other state is kept in
 * memory, as a sample may; a real service keeps it in its database. A restarted instance therefore
 * does not know orders placed before it started, and counts their payments in {@link
 * #paidBeforePlaced()}.
 */
public final class ShippingHandlers {
  private final EventPublisher publisher;
  private final Map<String, OrderPlaced> waitingForPayment = new ConcurrentHashMap<>();
  private final Set<String> rejected = ConcurrentHashMap.newKeySet();
  private final Map<String, ShipmentDispatched> dispatched = new ConcurrentHashMap<>();
  private final AtomicLong paidBeforePlaced = new AtomicLong();

  public ShippingHandlers(EventPublisher publisher) {
    this.publisher = publisher;
  }

  /**
   * Partitioned by order id; a short redelivery schedule so that the demo finishes quickly. An
   * invalid order is not retried at all: {@link InvalidOrderException} is {@code NonRetryable}.
   */
  public static SubscriptionOptions.Builder options(String queue) {
    return SubscriptionOptions.builder(queue)
        .ordering(Ordering.PARTITIONED)
        .redeliveryDelays(Duration.ofMillis(500), Duration.ofSeconds(2));
  }

  @EventHandler
  void on(OrderPlaced order) {
    if (order.items().isEmpty()) {
      rejected.add(order.orderId());
      throw new InvalidOrderException("order " + order.orderId() + " has no items to ship");
    }
    if (!dispatched.containsKey(order.orderId())) {
      waitingForPayment.put(order.orderId(), order);
    }
  }

  @EventHandler
  void on(PaymentCompleted payment) {
    String orderId = payment.orderId();
    if (dispatched.containsKey(orderId) || rejected.contains(orderId)) {
      return; // delivery is at least once: a redelivered payment ships nothing twice
    }
    if (waitingForPayment.remove(orderId) == null) {
      paidBeforePlaced.incrementAndGet();
    }
    ShipmentDispatched shipment =
        new ShipmentDispatched(orderId, "DHL", "JD" + Integer.toUnsignedString(orderId.hashCode()));
    // Waiting for the confirm before returning means the payment is acknowledged only once the
    // shipment event is safe with the broker: a crash in between redelivers the payment.
    join(publisher.publish(shipment, PublishOptions.none().withCorrelationId(orderId)));
    Optional<Connection> transaction = JdbcTransaction.find();
    if (transaction.isPresent()) {
      record(transaction.get(), shipment); // with the inbox: commits with its record, or not at all
    }
    dispatched.put(orderId, shipment);
  }

  private static void record(Connection connection, ShipmentDispatched shipment) {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO shipments (order_id, carrier, tracking) VALUES (?, ?, ?)")) {
      insert.setString(1, shipment.orderId());
      insert.setString(2, shipment.carrier());
      insert.setString(3, shipment.trackingCode());
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not record the shipment of " + shipment.orderId(), e);
    }
  }

  private static void join(CompletionStage<?> publish) {
    try {
      publish.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /** Whether {@code orderId} was dispatched. */
  public boolean dispatched(String orderId) {
    return dispatched.containsKey(orderId);
  }

  /** Whether {@code orderId} was refused as invalid. */
  public boolean rejected(String orderId) {
    return rejected.contains(orderId);
  }

  /** Payments that arrived for an order this instance had not seen placed. */
  public long paidBeforePlaced() {
    return paidBeforePlaced.get();
  }
}
