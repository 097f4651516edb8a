package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.jdbc.InboxTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The inbox's transactions from Spring's {@link PlatformTransactionManager}: each handler attempt
 * of an idempotent subscription runs in a Spring-managed transaction ({@code PROPAGATION_REQUIRED})
 * on the inbox's {@link DataSource}, so that the handler's {@code JdbcTemplate} calls, its {@code
 * Transactional} methods and what it publishes through the outbox join it, and commit or roll back
 * with the inbox record.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; each transaction belongs to the consumer thread that began it, as Spring's
 * transaction synchronisation does.
 *
 * <h2>Failures</h2>
 *
 * Spring's transaction and data access exceptions become {@link SQLException}s (keeping the
 * database's SQLState when there is one), which the inbox reports as {@code InboxException}. A
 * transaction manager that does not manage the inbox's data source fails each attempt with {@link
 * EventBusConfigurationException}; {@link #check()} finds that at start.
 */
final class SpringInboxTransactions implements InboxTransactions {
  private static final TransactionDefinition DEFINITION = TransactionDefinition.withDefaults();

  private final PlatformTransactionManager manager;
  private final DataSource dataSource;

  SpringInboxTransactions(PlatformTransactionManager manager, DataSource dataSource) {
    this.manager = manager;
    this.dataSource = dataSource;
  }

  /**
   * Begins and rolls back one transaction, to find at start whether the transaction manager binds
   * the data source's connection.
   *
   * @throws EventBusConfigurationException if it does not
   * @throws SQLException if the database cannot be reached
   */
  void check() throws SQLException {
    begin().rollback();
  }

  @Override
  public Transaction begin() throws SQLException {
    TransactionStatus status;
    try {
      status = manager.getTransaction(DEFINITION);
    } catch (TransactionException e) {
      throw sqlException(e);
    }
    if (!TransactionSynchronizationManager.hasResource(dataSource)) {
      manager.rollback(status);
      throw new EventBusConfigurationException(
          "eventbus.inbox",
          "eventbus.inbox: the transaction manager "
              + manager.getClass().getName()
              + " does not manage the DataSource of the inbox: an idempotent subscription needs"
              + " one that does (DataSourceTransactionManager or JpaTransactionManager on it)");
    }
    Connection connection;
    try {
      connection = DataSourceUtils.getConnection(dataSource);
    } catch (DataAccessException e) {
      manager.rollback(status);
      throw sqlException(e);
    }
    return new Spring(status, connection);
  }

  private final class Spring implements Transaction {
    private final TransactionStatus status;
    private final Connection connection;
    private boolean released;

    Spring(TransactionStatus status, Connection connection) {
      this.status = status;
      this.connection = connection;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public void commit() throws SQLException {
      release();
      try {
        manager.commit(status);
      } catch (TransactionException e) {
        throw sqlException(e);
      }
    }

    @Override
    public void rollback() throws SQLException {
      release();
      if (status.isCompleted()) {
        return;
      }
      try {
        manager.rollback(status);
      } catch (TransactionException e) {
        throw sqlException(e);
      }
    }

    private void release() {
      if (!released) {
        released = true;
        DataSourceUtils.releaseConnection(connection, dataSource);
      }
    }
  }

  /** {@code e} as an SQLException, with the SQLState of the SQLException it wraps, if any. */
  private static SQLException sqlException(RuntimeException e) {
    Throwable root = NestedExceptionUtils.getMostSpecificCause(e);
    @Nullable String state = root instanceof SQLException sql ? sql.getSQLState() : null;
    return new SQLException(e.getMessage(), state, e);
  }
}
