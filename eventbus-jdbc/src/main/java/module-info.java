/**
 * The transactional outbox and the idempotent inbox of eventbus, on a JDBC {@code DataSource}.
 * Exported: {@code io.eventbus.jdbc} only; the SQL seam, {@code io.eventbus.jdbc.internal}, is not.
 *
 * <p>The PostgreSQL driver is optional ({@code requires static}): the relay uses it only to listen
 * for commit notifications ({@code LISTEN/NOTIFY}) and polls without it. The application brings its
 * driver and pool, and on the module path requires the driver's module ({@code
 * org.postgresql.jdbc}), which resolves it for this module too.
 */
module io.eventbus.jdbc {
  requires transitive io.eventbus;
  requires transitive java.sql;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static org.postgresql.jdbc;
  requires static transitive org.jspecify;

  exports io.eventbus.jdbc;
}
