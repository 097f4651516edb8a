package io.eventbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the {@link Inbox} gets the database transaction of one handler attempt. By default the
 * inbox takes a connection from its data source and begins, commits and rolls back the transaction
 * itself. An application whose transactions are managed by a framework supplies its own, so that
 * the handler's work through that framework (a Spring {@code JdbcTemplate}, a {@code Transactional}
 * method) joins the inbox's transaction: the Spring Boot starter's idempotent subscriptions begin
 * it with Spring's transaction manager.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.builder(dataSource).transactions(myTransactions).build();
 * }</pre>
 *
 * <h2>What the inbox does with it</h2>
 *
 * Per attempt, on the thread that runs the handler: {@link #begin()}, then on the transaction's
 * {@link Transaction#connection() connection} it inserts the record and, unless the event was
 * handled before, binds the connection to {@link JdbcTransaction#current()} and runs the handler;
 * then it calls exactly one of {@link Transaction#commit()} (the handler returned) or {@link
 * Transaction#rollback()} (a duplicate, or anything failed), and also {@code rollback()} after a
 * {@code commit()} that threw.
 *
 * <h2>Thread safety</h2>
 *
 * {@link #begin()} is called from any number of consumer threads at once; each {@link Transaction}
 * is used by the thread that began it only.
 *
 * <h2>Failures</h2>
 *
 * A {@link SQLException} from any method fails the attempt with {@link InboxException}, retried
 * like any handler failure.
 */
public interface InboxTransactions {
  /**
   * Begins a transaction on a connection of the inbox's database (not in auto-commit mode).
   *
   * @throws SQLException if no connection could be had or the transaction could not begin
   */
  Transaction begin() throws SQLException;

  /** One transaction, begun by {@link #begin()}; ended once by the inbox. */
  interface Transaction {
    /** The connection the transaction runs on, the same on every call. */
    Connection connection();

    /**
     * Commits the transaction and releases its connection.
     *
     * @throws SQLException if the commit failed; the inbox then calls {@link #rollback()}
     */
    void commit() throws SQLException;

    /**
     * Rolls the transaction back and releases its connection; does nothing if it has already ended
     * (after a failed {@link #commit()}).
     *
     * @throws SQLException if the rollback failed
     */
    void rollback() throws SQLException;
  }
}
