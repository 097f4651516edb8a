package io.eventbus.jdbc;

import io.eventbus.PublishException;
import java.sql.SQLException;

/**
 * An event could not be stored in the outbox: the database refused the insert or could not be
 * reached. Nothing was stored, and the transaction it was to be part of is usually no longer
 * usable: roll it back and try the whole unit of work again. {@link #sqlState()} says why.
 */
public class OutboxStoreException extends PublishException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  OutboxStoreException(String eventId, String eventType, String table, SQLException cause) {
    super(
        eventId,
        eventType,
        "Event "
            + eventId
            + " ("
            + eventType
            + ") could not be stored in "
            + table
            + ": SQLState "
            + cause.getSQLState()
            + ", "
            + cause.getMessage(),
        cause);
    this.sqlState = String.valueOf(cause.getSQLState());
  }

  /** The database's SQLState for the failure ({@code 08…}: the connection failed). */
  public String sqlState() {
    return sqlState;
  }
}
