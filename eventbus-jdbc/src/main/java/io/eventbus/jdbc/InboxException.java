package io.eventbus.jdbc;

import io.eventbus.EventBusException;
import java.sql.SQLException;

/**
 * The inbox could not open, record or commit a delivery's transaction (the database refused it or
 * could not be reached). The delivery failed like any handler failure: it is retried, redelivered
 * and at last dead-lettered under the subscription's policy, and nothing of it was committed unless
 * the commit itself was the step that failed with its outcome unknown (then the retry finds the
 * inbox record and skips the handler).
 */
public class InboxException extends EventBusException {
  private static final long serialVersionUID = 1L;

  InboxException(String message, SQLException cause) {
    super(message + ": SQLState " + cause.getSQLState() + ", " + cause.getMessage(), cause);
  }
}
