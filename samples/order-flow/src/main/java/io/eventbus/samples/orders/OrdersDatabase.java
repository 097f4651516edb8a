package io.eventbus.samples.orders;

import io.eventbus.jdbc.JdbcTables;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The flow's PostgreSQL, when one answers: a schema of the namespace's own ({@code order_flow} for
 * the default), holding the order service's {@code orders}, shipping's {@code shipments}, and the
 * outbox and inbox tables. Without it the flow publishes directly and shipping has no inbox.
 */
final class OrdersDatabase {
  private final PGSimpleDataSource dataSource;
  private final String schema;
  private final String where;

  private OrdersDatabase(PGSimpleDataSource dataSource, String schema, String where) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.where = where;
  }

  /**
   * The database at {@code jdbc} if it answers within a second, with the flow's tables created;
   * null for {@code none} or when nothing answers.
   *
   * @throws SQLException if it answers but refuses
   */
  static @Nullable OrdersDatabase open(String jdbc, String namespace) throws SQLException {
    if (jdbc.equals("none")) {
      return null;
    }
    URI uri = URI.create(jdbc.substring("jdbc:".length()));
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    if (!BrokerProbe.answers(host, port, Duration.ofSeconds(1))) {
      return null;
    }
    String schema = schemaOf(namespace);
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbc);
    dataSource.setConnectTimeout(5);
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".orders (order_id text PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL,"
              + " paid boolean NOT NULL DEFAULT false)");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".shipments (order_id text PRIMARY KEY, carrier text NOT NULL, tracking text NOT"
              + " NULL)");
    }
    dataSource.setCurrentSchema(schema);
    return new OrdersDatabase(
        dataSource, schema, "PostgreSQL at " + host + ":" + port + " (schema " + schema + ")");
  }

  /** The schema for {@code namespace}: lowercase letters, digits and {@code _}. */
  static String schemaOf(String namespace) {
    String schema = namespace.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    schema = Character.isDigit(schema.charAt(0)) ? "_" + schema : schema;
    return schema.substring(0, Math.min(schema.length(), 40));
  }

  DataSource dataSource() {
    return dataSource;
  }

  /** The outbox and inbox tables, in the flow's schema. */
  JdbcTables tables() {
    return JdbcTables.defaults().withSchema(schema);
  }

  String schema() {
    return schema;
  }

  /** Where it is, for people: no credentials. */
  String description() {
    return where;
  }
}
