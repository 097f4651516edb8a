package io.eventbus.jdbc.internal;

import io.eventbus.jdbc.JdbcTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Listens for the outbox's commit notifications ({@code LISTEN} and the PostgreSQL driver's {@code
 * getNotifications}): the only class that touches the PostgreSQL driver, which is optional ({@code
 * requires static}); without it the relay polls. Stateless.
 */
final class PostgresNotifications {
  private PostgresNotifications() {}

  /** Whether {@code connection} is the PostgreSQL driver's, so that it can listen. */
  static boolean canListen(Connection connection) {
    try {
      return connection.isWrapperFor(org.postgresql.PGConnection.class);
    } catch (SQLException | LinkageError e) {
      return false; // no PostgreSQL driver on the class path: poll
    }
  }

  /** Listens on {@code tables}' notification channel. */
  static void listen(Connection connection, JdbcTables tables) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN \"" + tables.notifyChannel() + "\"");
    }
  }

  /** Waits up to {@code timeoutMillis} for notifications; whether any came. */
  static boolean await(Connection connection, int timeoutMillis) throws SQLException {
    org.postgresql.PGNotification[] notifications =
        connection.unwrap(org.postgresql.PGConnection.class).getNotifications(timeoutMillis);
    return notifications != null && notifications.length > 0;
  }
}
