package io.eventbus.jdbc.internal;

import io.eventbus.jdbc.JdbcTables;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL 12 or newer. The relay's claim is a bucket lease, {@code pg_try_advisory_xact_lock} on
 * (outbox, bucket), taken by the first transaction that asks and released when it ends: the SKIP
 * LOCKED of buckets rather than of rows, which is what keeps one partition key's rows with one
 * relay at a time. Stores of one partition key take {@code pg_advisory_xact_lock} on (outbox, key
 * hash) first, so positions follow commit order per key. Commits wake relays with {@code
 * pg_notify}, which PostgreSQL delivers only when (and if) the transaction commits. This class
 * holds the outbox's and inbox's statements; {@link PostgresScripts} creates the tables, {@link
 * PostgresDeadLetters} moves parked rows and {@link PostgresNotifications} listens.
 */
final class PostgresDialect implements Dialect {
  static final String COLUMNS =
      "event_id, event_type, partition_key, bucket, content_type, headers, body";

  @Override
  public void createOutbox(Connection connection, JdbcTables tables) throws SQLException {
    PostgresScripts.run(connection, tables, "outbox.sql");
  }

  @Override
  public void createInbox(Connection connection, JdbcTables tables) throws SQLException {
    PostgresScripts.run(connection, tables, "inbox.sql");
  }

  @Override
  public long insert(Connection connection, JdbcTables tables, NewRow row, boolean notify)
      throws SQLException {
    boolean keyed = row.partitionKey() != null;
    StringBuilder sql = new StringBuilder("WITH ");
    if (keyed) {
      sql.append("locked AS (SELECT pg_advisory_xact_lock(?, ?) AS l), ");
    }
    sql.append("stored AS (INSERT INTO ")
        .append(tables.outbox())
        .append(" (")
        .append(COLUMNS)
        .append(") SELECT ?, ?, ?, ?, ?, CAST(? AS jsonb), ?")
        .append(keyed ? " FROM locked" : "")
        .append(" RETURNING position) SELECT position")
        .append(notify ? ", pg_notify(?, '')" : "")
        .append(" FROM stored");
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      int i = 1;
      if (keyed) {
        statement.setInt(i++, space(tables.outbox(), "key"));
        statement.setInt(i++, row.keyLock());
      }
      statement.setString(i++, row.eventId());
      statement.setString(i++, row.eventType());
      if (keyed) {
        statement.setString(i++, row.partitionKey());
      } else {
        statement.setNull(i++, Types.VARCHAR);
      }
      statement.setInt(i++, row.bucket());
      if (row.contentType() != null) {
        statement.setString(i++, row.contentType());
      } else {
        statement.setNull(i++, Types.VARCHAR);
      }
      statement.setString(i++, row.headersJson());
      statement.setBytes(i++, row.body());
      if (notify) {
        statement.setString(i, tables.notifyChannel());
      }
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  @Override
  public OptionalInt leaseBucket(Connection connection, JdbcTables tables, int start, int buckets)
      throws SQLException {
    // CASE fixes the order: lease only a bucket that has work; the function scan yields buckets
    // in order and LIMIT stops at the first lease, so no other bucket is locked.
    String sql =
        "SELECT b FROM (SELECT (s + ?) % ? AS b FROM generate_series(0, ? - 1) s) buckets"
            + " WHERE CASE WHEN EXISTS (SELECT 1 FROM "
            + tables.outbox()
            + " o WHERE o.bucket = buckets.b AND o.sent_at IS NULL)"
            + " THEN pg_try_advisory_xact_lock(?, buckets.b) ELSE false END LIMIT 1";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setInt(1, start);
      statement.setInt(2, buckets);
      statement.setInt(3, buckets);
      statement.setInt(4, space(tables.outbox(), "bucket"));
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? OptionalInt.of(result.getInt(1)) : OptionalInt.empty();
      }
    }
  }

  @Override
  public List<StoredRow> unsent(Connection connection, JdbcTables tables, int bucket, int limit)
      throws SQLException {
    // No FOR UPDATE: only the holder of the bucket's lease changes its unsent rows.
    String sql =
        "SELECT position, event_id, event_type, content_type, headers::text, body, attempts FROM "
            + tables.outbox()
            + " WHERE bucket = ? AND sent_at IS NULL ORDER BY position LIMIT ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setInt(1, bucket);
      statement.setInt(2, limit);
      List<StoredRow> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(
              new StoredRow(
                  result.getLong(1),
                  result.getString(2),
                  result.getString(3),
                  result.getString(4),
                  result.getString(5),
                  result.getBytes(6),
                  result.getInt(7)));
        }
      }
      return rows;
    }
  }

  @Override
  public double markSent(
      Connection connection, JdbcTables tables, List<Long> positions, boolean delete)
      throws SQLException {
    String sql =
        delete
            ? "DELETE FROM "
                + tables.outbox()
                + " WHERE position = ANY(?)"
                + " RETURNING extract(epoch FROM clock_timestamp() - created_at)"
            : "UPDATE "
                + tables.outbox()
                + " SET sent_at = clock_timestamp() WHERE position = ANY(?)"
                + " RETURNING extract(epoch FROM sent_at - created_at)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, positions(connection, positions));
      double longest = 0;
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          longest = Math.max(longest, result.getDouble(1));
        }
      }
      return longest;
    }
  }

  @Override
  public void recordFailure(
      Connection connection, JdbcTables tables, List<Long> positions, String error)
      throws SQLException {
    String sql =
        "UPDATE "
            + tables.outbox()
            + " SET attempts = attempts + 1, last_error = ? WHERE position = ANY(?)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, error);
      statement.setArray(2, positions(connection, positions));
      statement.executeUpdate();
    }
  }

  @Override
  public void park(
      Connection connection,
      JdbcTables tables,
      long position,
      String reason,
      @Nullable String errorType)
      throws SQLException {
    PostgresDeadLetters.park(connection, tables, position, reason, errorType);
  }

  @Override
  public Sample sample(Connection connection, JdbcTables tables) throws SQLException {
    String sql =
        "SELECT count(*), COALESCE(extract(epoch FROM clock_timestamp() - min(created_at)), 0),"
            + " (SELECT count(*) FROM "
            + tables.outboxDeadLetters()
            + ") FROM "
            + tables.outbox()
            + " WHERE sent_at IS NULL";
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return new Sample(
          result.getLong(1),
          Duration.ofNanos((long) (Math.max(0, result.getDouble(2)) * 1e9)),
          result.getLong(3));
    }
  }

  @Override
  public int purgeSent(Connection connection, JdbcTables tables, Duration retention, int limit)
      throws SQLException {
    String sql =
        "DELETE FROM "
            + tables.outbox()
            + " WHERE position IN (SELECT position FROM "
            + tables.outbox()
            + " WHERE sent_at < clock_timestamp() - make_interval(secs => ?) LIMIT ?)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setDouble(1, retention.toMillis() / 1000.0);
      statement.setInt(2, limit);
      return statement.executeUpdate();
    }
  }

  @Override
  public List<DeadRow> deadLetters(Connection connection, JdbcTables tables, int limit)
      throws SQLException {
    return PostgresDeadLetters.list(connection, tables, limit);
  }

  @Override
  public boolean replay(Connection connection, JdbcTables tables, long position, boolean notify)
      throws SQLException {
    return PostgresDeadLetters.replay(connection, tables, position, notify);
  }

  @Override
  public boolean discard(Connection connection, JdbcTables tables, long position)
      throws SQLException {
    return PostgresDeadLetters.discard(connection, tables, position);
  }

  @Override
  public boolean recordHandled(
      Connection connection, JdbcTables tables, String subscription, String eventId)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO "
                + tables.inbox()
                + " (subscription, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      statement.setString(1, subscription);
      statement.setString(2, eventId);
      return statement.executeUpdate() == 1;
    }
  }

  @Override
  public int purgeInbox(Connection connection, JdbcTables tables, Duration retention, int limit)
      throws SQLException {
    String sql =
        "DELETE FROM "
            + tables.inbox()
            + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
            + tables.inbox()
            + " WHERE handled_at < clock_timestamp() - make_interval(secs => ?) LIMIT ?))";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setDouble(1, retention.toMillis() / 1000.0);
      statement.setInt(2, limit);
      return statement.executeUpdate();
    }
  }

  @Override
  public boolean canListen(Connection connection) {
    return PostgresNotifications.canListen(connection);
  }

  @Override
  public void listen(Connection connection, JdbcTables tables) throws SQLException {
    PostgresNotifications.listen(connection, tables);
  }

  @Override
  public boolean awaitNotification(Connection connection, int timeoutMillis) throws SQLException {
    return PostgresNotifications.await(connection, timeoutMillis);
  }

  private static Array positions(Connection connection, List<Long> positions) throws SQLException {
    return connection.createArrayOf("bigint", positions.toArray(Long[]::new));
  }

  /** The first key of the advisory locks of one kind ({@code what}) for one outbox table. */
  static int space(String outbox, String what) {
    CRC32 crc = new CRC32();
    crc.update((outbox + "#" + what).getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }
}
