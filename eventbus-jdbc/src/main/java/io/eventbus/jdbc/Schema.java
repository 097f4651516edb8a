package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.jdbc.internal.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Finds the dialect and, if asked, creates the tables, once at build time. */
final class Schema {
  enum Part {
    OUTBOX,
    INBOX
  }

  private Schema() {}

  static Dialect prepare(DataSource dataSource, JdbcTables tables, boolean create, Part part) {
    try (Connection connection = dataSource.getConnection()) {
      Dialect dialect = Dialect.of(connection);
      if (create) {
        connection.setAutoCommit(false);
        try {
          if (part == Part.OUTBOX) {
            dialect.createOutbox(connection, tables);
          } else {
            dialect.createInbox(connection, tables);
          }
          connection.commit();
        } catch (SQLException | RuntimeException e) {
          connection.rollback();
          throw e;
        }
      }
      return dialect;
    } catch (SQLException e) {
      throw new EventBusException(
          "Could not set up the "
              + (part == Part.OUTBOX ? "outbox " + tables.outbox() : "inbox " + tables.inbox())
              + ": SQLState "
              + e.getSQLState()
              + ", "
              + e.getMessage(),
          e);
    } catch (EventBusConfigurationException e) {
      throw e;
    }
  }
}
