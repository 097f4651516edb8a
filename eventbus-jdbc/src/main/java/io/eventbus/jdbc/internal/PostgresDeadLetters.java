package io.eventbus.jdbc.internal;

import io.eventbus.jdbc.JdbcTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The outbox's dead letters on PostgreSQL: parks a row (moves it from the outbox to its dead-letter
 * table with the reason), lists parked rows, replays one (moves it back, waking relays) or discards
 * it. Each move is one statement. Stateless.
 */
final class PostgresDeadLetters {
  private static final String COLUMNS = PostgresDialect.COLUMNS;

  private PostgresDeadLetters() {}

  /** See {@link Dialect#park}. */
  static void park(
      Connection connection,
      JdbcTables tables,
      long position,
      String reason,
      @Nullable String errorType)
      throws SQLException {
    String sql =
        "WITH moved AS (DELETE FROM "
            + tables.outbox()
            + " WHERE position = ? RETURNING *) INSERT INTO "
            + tables.outboxDeadLetters()
            + " (position, "
            + COLUMNS
            + ", created_at, attempts, reason, error_type) SELECT position, "
            + COLUMNS
            + ", created_at, attempts + 1, ?, ? FROM moved";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, position);
      statement.setString(2, reason);
      statement.setString(3, errorType);
      statement.executeUpdate();
    }
  }

  /** See {@link Dialect#deadLetters}. */
  static List<DeadRow> list(Connection connection, JdbcTables tables, int limit)
      throws SQLException {
    String sql =
        "SELECT position, event_id, event_type, partition_key, created_at, parked_at, attempts,"
            + " reason, error_type FROM "
            + tables.outboxDeadLetters()
            + " ORDER BY position LIMIT ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setInt(1, limit);
      List<DeadRow> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(
              new DeadRow(
                  result.getLong(1),
                  result.getString(2),
                  result.getString(3),
                  result.getString(4),
                  result.getTimestamp(5).toInstant(),
                  result.getTimestamp(6).toInstant(),
                  result.getInt(7),
                  result.getString(8),
                  result.getString(9)));
        }
      }
      return rows;
    }
  }

  /** See {@link Dialect#replay}. */
  static boolean replay(Connection connection, JdbcTables tables, long position, boolean notify)
      throws SQLException {
    String sql =
        "WITH moved AS (DELETE FROM "
            + tables.outboxDeadLetters()
            + " WHERE position = ? RETURNING *) INSERT INTO "
            + tables.outbox()
            + " ("
            + COLUMNS
            + ") SELECT "
            + COLUMNS
            + " FROM moved";
    int moved;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, position);
      moved = statement.executeUpdate();
    }
    if (moved > 0 && notify) {
      try (PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, '')")) {
        statement.setString(1, tables.notifyChannel());
        statement.execute();
      }
    }
    return moved > 0;
  }

  /** See {@link Dialect#discard}. */
  static boolean discard(Connection connection, JdbcTables tables, long position)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "DELETE FROM " + tables.outboxDeadLetters() + " WHERE position = ?")) {
      statement.setLong(1, position);
      return statement.executeUpdate() > 0;
    }
  }
}
