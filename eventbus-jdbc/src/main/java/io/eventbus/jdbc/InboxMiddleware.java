package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.jdbc.internal.Dialect;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox's link: one transaction per attempt (from its {@link InboxTransactions}), the record
 * first, the handler inside.
 */
final class InboxMiddleware implements Middleware, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboxMiddleware.class);
  private static final AttributeKey<String> GROUP =
      AttributeKey.stringKey("messaging.consumer.group.name");

  private final InboxTransactions transactions;
  private final Dialect dialect;
  private final JdbcTables tables;
  private final LongCounter duplicates;
  private final Map<String, Attributes> attributes = new ConcurrentHashMap<>();

  InboxMiddleware(
      InboxTransactions transactions,
      Dialect dialect,
      JdbcTables tables,
      OpenTelemetry openTelemetry) {
    this.transactions = transactions;
    this.dialect = dialect;
    this.tables = tables;
    this.duplicates =
        openTelemetry
            .getMeter(OutboxMonitor.SCOPE)
            .counterBuilder("eventbus.inbox.duplicates")
            .setUnit("{message}")
            .setDescription("Deliveries acknowledged without running the handler: already handled.")
            .build();
  }

  @Override
  public void handle(DeliveryContext delivery, Chain chain) throws Exception {
    if (!delivery.isDecoded()) {
      throw new EventBusConfigurationException(
          "The inbox middleware of subscription '"
              + delivery.subscription()
              + "' runs before Stage.DECODE; add it with middleware(...) or after DECODE");
    }
    if (JdbcTransaction.find().isPresent()) {
      throw new EventBusConfigurationException(
          "Subscription '" + delivery.subscription() + "' has the inbox middleware twice");
    }
    String subscription = delivery.subscription();
    String eventId = delivery.metadata().id();
    InboxTransactions.Transaction transaction;
    try {
      transaction = transactions.begin();
    } catch (SQLException e) {
      throw new InboxException("The inbox could not get a connection for event " + eventId, e);
    }
    try {
      Connection connection = transaction.connection();
      boolean first;
      try {
        first = dialect.recordHandled(connection, tables, subscription, eventId);
      } catch (SQLException e) {
        throw failure("could not record", eventId, subscription, e);
      }
      if (!first) {
        try {
          transaction.rollback();
        } catch (SQLException e) {
          log.debug("Rolling back the record of duplicate {}: {}", eventId, e.getMessage());
        }
        duplicates.add(
            1, attributes.computeIfAbsent(subscription, name -> Attributes.of(GROUP, name)));
        log.debug("Event {} was handled by {} before: skipped", eventId, subscription);
        return;
      }
      JdbcTransaction.Scope bound = JdbcTransaction.bind(connection);
      try {
        chain.proceed(delivery);
      } finally {
        bound.close();
      }
      try {
        transaction.commit();
      } catch (SQLException e) {
        throw failure("could not commit", eventId, subscription, e);
      }
    } catch (Exception | Error e) {
      rollbackQuietly(transaction);
      throw e;
    }
  }

  private static InboxException failure(
      String what, String eventId, String subscription, SQLException cause) {
    return new InboxException(
        "The inbox " + what + " event " + eventId + " of subscription " + subscription, cause);
  }

  private static void rollbackQuietly(InboxTransactions.Transaction transaction) {
    try {
      transaction.rollback();
    } catch (SQLException | RuntimeException e) {
      // the connection is gone, and the transaction with it
      log.debug("Rollback after a failed attempt: {}", e.getMessage());
    }
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "inbox(" + tables.inbox() + ")";
  }
}
