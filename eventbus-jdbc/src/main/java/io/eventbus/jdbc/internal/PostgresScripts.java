package io.eventbus.jdbc.internal;

import io.eventbus.jdbc.JdbcTables;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the shipped PostgreSQL scripts that create the outbox and inbox tables ({@code
 * META-INF/eventbus/jdbc/postgresql/*.sql}), in the tables' schema and with their prefix, one
 * creator at a time (an advisory lock per outbox table). Stateless.
 */
final class PostgresScripts {
  private static final String SCRIPTS = "/META-INF/eventbus/jdbc/postgresql/";

  private PostgresScripts() {}

  /** Runs a shipped script in {@code tables}' schema and prefix, one creator at a time. */
  static void run(Connection connection, JdbcTables tables, String script) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "SELECT pg_advisory_xact_lock(" + PostgresDialect.space(tables.outbox(), "schema") + ")");
      if (tables.schema() != null) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + tables.schema());
        statement.execute("SET LOCAL search_path TO " + tables.schema());
      }
      for (String sql : statements(script, tables.prefix())) {
        statement.execute(sql);
      }
    }
  }

  /** The statements of a shipped script, with {@code eventbus_} replaced by {@code prefix}. */
  static List<String> statements(String script, String prefix) {
    String text;
    try (InputStream in = PostgresScripts.class.getResourceAsStream(SCRIPTS + script)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource " + SCRIPTS + script);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder code = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.strip().startsWith("--")) {
        code.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String statement : code.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip().replaceAll("\\beventbus_", prefix));
      }
    }
    return statements;
  }
}
