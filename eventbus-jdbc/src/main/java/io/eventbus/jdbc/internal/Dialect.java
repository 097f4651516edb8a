package io.eventbus.jdbc.internal;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.jdbc.JdbcTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Everything the outbox and inbox say to the database, so that another database (MySQL, MariaDB)
 * needs one more implementation and nothing else. Every method works inside the caller's
 * transaction on the caller's connection; none commits.
 */
public interface Dialect {

  /**
   * The dialect of the database {@code connection} talks to.
   *
   * @throws EventBusConfigurationException for a database without one
   */
  static Dialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    if (product != null && product.toLowerCase(Locale.ROOT).contains("postgres")) {
      return new PostgresDialect();
    }
    throw new EventBusConfigurationException(
        "The outbox and inbox support PostgreSQL only so far; the DataSource is "
            + product
            + " (see docs/outbox.md, 'Other databases')");
  }

  /** Creates the outbox tables if they are missing. */
  void createOutbox(Connection connection, JdbcTables tables) throws SQLException;

  /** Creates the inbox table if it is missing. */
  void createInbox(Connection connection, JdbcTables tables) throws SQLException;

  /**
   * Inserts {@code row}. With a partition key, first waits for a transaction-scoped lock on the
   * key, so that transactions storing events of one key insert them in commit order; with {@code
   * notify}, wakes listening relays when the transaction commits.
   *
   * @return the row's position
   */
  long insert(Connection connection, JdbcTables tables, NewRow row, boolean notify)
      throws SQLException;

  /**
   * Leases one bucket that has unsent rows and that no other transaction holds, trying {@code
   * start}, {@code start + 1}, … (mod {@code buckets}); the lease ends with the transaction.
   */
  OptionalInt leaseBucket(Connection connection, JdbcTables tables, int start, int buckets)
      throws SQLException;

  /** Up to {@code limit} unsent rows of {@code bucket}, in position order, locked. */
  List<StoredRow> unsent(Connection connection, JdbcTables tables, int bucket, int limit)
      throws SQLException;

  /**
   * Marks rows sent (or deletes them, when sent rows are not kept).
   *
   * @return the longest time, in seconds by the database's clock, that one of them waited
   */
  double markSent(Connection connection, JdbcTables tables, List<Long> positions, boolean delete)
      throws SQLException;

  /** Counts a failed attempt on rows that stay unsent. */
  void recordFailure(Connection connection, JdbcTables tables, List<Long> positions, String error)
      throws SQLException;

  /** Moves a row to the dead-letter table with the reason. */
  void park(
      Connection connection,
      JdbcTables tables,
      long position,
      String reason,
      @Nullable String errorType)
      throws SQLException;

  /** Unsent rows, the oldest one's age, and parked rows. */
  Sample sample(Connection connection, JdbcTables tables) throws SQLException;

  /** Deletes up to {@code limit} rows sent longer than {@code retention} ago; how many. */
  int purgeSent(Connection connection, JdbcTables tables, Duration retention, int limit)
      throws SQLException;

  /** Parked rows, oldest first. */
  List<DeadRow> deadLetters(Connection connection, JdbcTables tables, int limit)
      throws SQLException;

  /** Moves a parked row back to the end of the outbox; whether it was there. */
  boolean replay(Connection connection, JdbcTables tables, long position, boolean notify)
      throws SQLException;

  /** Deletes a parked row; whether it was there. */
  boolean discard(Connection connection, JdbcTables tables, long position) throws SQLException;

  /**
   * Records that {@code subscription} handles {@code eventId}; false if it was recorded before (a
   * concurrent recording waits for the other transaction to end).
   */
  boolean recordHandled(
      Connection connection, JdbcTables tables, String subscription, String eventId)
      throws SQLException;

  /** Deletes up to {@code limit} inbox rows older than {@code retention}; how many. */
  int purgeInbox(Connection connection, JdbcTables tables, Duration retention, int limit)
      throws SQLException;

  /** Whether commits can wake relays ({@link #listen}); otherwise relays poll. */
  boolean canListen(Connection connection);

  /** Subscribes {@code connection} (in auto-commit mode) to the outbox's commit notifications. */
  void listen(Connection connection, JdbcTables tables) throws SQLException;

  /**
   * Waits up to {@code timeoutMillis} for notifications on a {@link #listen}ing connection; whether
   * any came.
   *
   * @throws SQLException if the connection is broken
   */
  boolean awaitNotification(Connection connection, int timeoutMillis) throws SQLException;
}
