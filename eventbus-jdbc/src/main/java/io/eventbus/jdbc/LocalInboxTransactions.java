package io.eventbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The inbox's own transactions: a connection from the data source, auto-commit off, committed or
 * rolled back by the inbox, its auto-commit mode restored before it goes back to the pool.
 */
final class LocalInboxTransactions implements InboxTransactions {
  private final DataSource dataSource;

  LocalInboxTransactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Transaction begin() throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      return new Local(connection, autoCommit);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private static final class Local implements Transaction {
    private final Connection connection;
    private final boolean autoCommit;
    private boolean ended;

    Local(Connection connection, boolean autoCommit) {
      this.connection = connection;
      this.autoCommit = autoCommit;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public void commit() throws SQLException {
      connection.commit();
      end();
    }

    @Override
    public void rollback() throws SQLException {
      if (ended) {
        return;
      }
      try {
        connection.rollback();
      } finally {
        end();
      }
    }

    private void end() throws SQLException {
      ended = true;
      try (connection) {
        if (!connection.isClosed()) {
          connection.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        // returned to the pool broken; the pool discards it
      }
    }
  }
}
