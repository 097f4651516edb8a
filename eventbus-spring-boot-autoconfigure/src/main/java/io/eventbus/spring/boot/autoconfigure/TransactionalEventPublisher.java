package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.jdbc.Outbox;
import io.eventbus.jdbc.StoredEvent;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The application's {@link EventPublisher} when it has the outbox: inside a Spring-managed
 * transaction it stores each event in the outbox table on the connection Spring bound to that
 * transaction, so that the event is published after the transaction commits and never if it rolls
 * back; outside one it publishes through the bus directly (or fails, with {@code
 * eventbus.outbox.require-transaction=true}).
 *
 * <h2>Inside a transaction</h2>
 *
 * The store happens before the method returns, and so do its failures: {@code publish}, {@code
 * publishAll} and {@code publishAndWait} throw {@link io.eventbus.jdbc.OutboxStoreException},
 * {@link io.eventbus.UnknownEventTypeException} or {@link io.eventbus.PublishException} instead of
 * returning a failed stage, so that a {@code Transactional} method that ignores the stage still
 * rolls back. A returned receipt means "stored in this transaction": the broker confirms the event
 * only after the commit, when the relay sends it. The transaction must be one whose transaction
 * manager manages the outbox's {@code DataSource} (Spring Boot's {@code
 * DataSourceTransactionManager} or {@code JpaTransactionManager} do); otherwise the publish fails
 * with {@link EventBusConfigurationException}.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; the transaction is the calling thread's.
 */
final class TransactionalEventPublisher implements EventPublisher {
  private final EventBus bus;
  private final Outbox outbox;
  private final DataSource dataSource;
  private final boolean requireTransaction;

  TransactionalEventPublisher(
      EventBus bus, Outbox outbox, DataSource dataSource, boolean requireTransaction) {
    this.bus = Objects.requireNonNull(bus, "bus");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.requireTransaction = requireTransaction;
  }

  @Override
  public CompletionStage<PublishReceipt> publish(Object event, PublishOptions options) {
    Connection connection = transactionConnection();
    if (connection == null) {
      return bus.publish(event, options);
    }
    return CompletableFuture.completedFuture(store(connection, event, options));
  }

  @Override
  public CompletionStage<List<PublishReceipt>> publishAll(List<?> events) {
    Connection connection = transactionConnection();
    if (connection == null) {
      return bus.publishAll(events);
    }
    List<PublishReceipt> receipts = new ArrayList<>(events.size());
    for (Object event : events) {
      receipts.add(store(connection, event, PublishOptions.none()));
    }
    return CompletableFuture.completedFuture(List.copyOf(receipts));
  }

  @Override
  public PublishReceipt publishAndWait(Object event) {
    Connection connection = transactionConnection();
    if (connection == null) {
      return bus.publishAndWait(event);
    }
    return store(connection, event, PublishOptions.none());
  }

  private PublishReceipt store(Connection connection, Object event, PublishOptions options) {
    try {
      StoredEvent stored = outbox.store(connection, event, options);
      return new PublishReceipt(stored.eventId(), stored.eventType());
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  /**
   * The connection of the Spring-managed transaction on this thread, or null to publish directly.
   */
  private @Nullable Connection transactionConnection() {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      if (requireTransaction) {
        throw new EventBusException(
            "No transaction is active and eventbus.outbox.require-transaction is true: publish"
                + " inside a @Transactional method, or inject EventBus to publish directly");
      }
      return null;
    }
    if (!TransactionSynchronizationManager.hasResource(dataSource)) {
      throw new EventBusConfigurationException(
          "eventbus.outbox",
          "eventbus.outbox: a transaction is active, but its transaction manager does not manage"
              + " the outbox's DataSource, so the event would not commit with it: use a"
              + " DataSourceTransactionManager or JpaTransactionManager on that DataSource, or"
              + " inject EventBus to publish directly");
    }
    return DataSourceUtils.getConnection(dataSource);
  }
}
