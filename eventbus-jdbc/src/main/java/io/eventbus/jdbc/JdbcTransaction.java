package io.eventbus.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The database transaction the {@link Inbox} opened for the handler running on this thread. A
 * handler of an idempotent subscription does its own JDBC work on {@link #current()}, and {@link
 * Outbox#store(Object)} stores events in it, so that they commit or roll back together with the
 * inbox record.
 *
 * <pre>{@code
 * @EventHandler
 * void on(OrderPlaced order) throws SQLException {
 *   Connection connection = JdbcTransaction.current();
 *   try (PreparedStatement insert = connection.prepareStatement("INSERT INTO shipments ...")) {
 *     ...
 *   }
 *   outbox.store(new ShipmentRequested(order.orderId()));
 * }
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * The transaction belongs to the handler's thread; work handed to another thread does not see it.
 *
 * <h2>Lifecycle</h2>
 *
 * The inbox commits when the handler returns and rolls back when it throws. The connection given
 * out cannot end the transaction: {@code commit}, {@code rollback()} and {@code setAutoCommit}
 * throw {@link IllegalStateException}, {@code close} does nothing (so try-with-resources is
 * harmless). Savepoints work as usual.
 */
public final class JdbcTransaction {
  private static final ThreadLocal<@Nullable Connection> CURRENT = new ThreadLocal<>();

  private JdbcTransaction() {}

  /**
   * The connection of the transaction bound to this thread.
   *
   * @throws IllegalStateException if there is none: the caller is not a handler of a subscription
   *     with the inbox
   */
  public static Connection current() {
    Connection connection = CURRENT.get();
    if (connection == null) {
      throw new IllegalStateException(
          "No transaction is bound to this thread: only handlers of a subscription with the"
              + " inbox middleware have one (or pass a Connection explicitly)");
    }
    return connection;
  }

  /** The connection of the transaction bound to this thread, if there is one. */
  public static Optional<Connection> find() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** Binds {@code connection}'s transaction to this thread until the returned scope closes. */
  static Scope bind(Connection connection) {
    Connection previous = CURRENT.get();
    CURRENT.set(guarded(connection));
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Undoes a {@link #bind}. */
  interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  private static Connection guarded(Connection connection) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close":
              return null;
            case "commit":
            case "setAutoCommit":
              throw owned(method);
            case "rollback":
              if (args == null || args.length == 0) {
                throw owned(method);
              }
              break;
            case "equals":
              return proxy == args[0];
            case "hashCode":
              return System.identityHashCode(proxy);
            case "toString":
              return "JdbcTransaction[" + connection + "]";
            default:
              break;
          }
          try {
            return method.invoke(connection, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            JdbcTransaction.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }

  private static IllegalStateException owned(Method method) {
    return new IllegalStateException(
        method.getName()
            + " is not allowed here: the inbox owns this transaction; it commits when the handler"
            + " returns and rolls back when the handler throws");
  }
}
