package io.eventbus.jdbc;

import io.eventbus.EventBusException;
import io.eventbus.jdbc.internal.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The outbox's parked rows, for an operator: list them, move one back into the outbox, or delete
 * it. Each call takes a connection of its own and, for a change, one transaction.
 */
final class DeadLetterTable {
  private final DataSource dataSource;
  private final Dialect dialect;
  private final OutboxSettings settings;

  DeadLetterTable(DataSource dataSource, Dialect dialect, OutboxSettings settings) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.settings = settings;
  }

  List<OutboxDeadLetter> list(int max) {
    try (Connection connection = dataSource.getConnection()) {
      return dialect.deadLetters(connection, settings.tables(), max).stream()
          .map(
              row ->
                  new OutboxDeadLetter(
                      row.position(),
                      row.eventId(),
                      row.eventType(),
                      row.partitionKey(),
                      row.createdAt(),
                      row.parkedAt(),
                      row.attempts(),
                      row.reason(),
                      row.errorType()))
          .toList();
    } catch (SQLException e) {
      throw new EventBusException(
          "Could not read " + settings.tables().outboxDeadLetters() + ": " + e.getMessage(), e);
    }
  }

  boolean replay(long position) {
    return inTransaction(
        connection ->
            dialect.replay(connection, settings.tables(), position, settings.notifyOnCommit()));
  }

  boolean discard(long position) {
    return inTransaction(connection -> dialect.discard(connection, settings.tables(), position));
  }

  private interface Work {
    boolean run(Connection connection) throws SQLException;
  }

  private boolean inTransaction(Work work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new EventBusException(
          "Could not change " + settings.tables().outboxDeadLetters() + ": " + e.getMessage(), e);
    }
  }
}
