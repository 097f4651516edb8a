package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.testkit.junit5.Requirements;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A schema of the test class's own on the tests' PostgreSQL ({@code EVENTBUS_TEST_JDBC_URL},
 * default the local database {@code test} as user {@code postgres}), created before the class and
 * dropped, with everything in it, after it. When no database answers, the testkit's {@link
 * Requirements} rule fails the class on CI and skips it elsewhere.
 */
final class PostgresSchema implements BeforeAllCallback, AfterAllCallback {
  static final String URL =
      System.getenv()
          .getOrDefault(
              "EVENTBUS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private @Nullable String name;

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    String owner = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    String schema =
        "s_"
            + owner.substring(0, Math.min(owner.length(), 24))
            + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    name = schema;
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    if (name != null) {
      try (Connection connection = DriverManager.getConnection(URL);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
      }
    }
  }

  /** The schema's name. */
  String name() {
    if (name == null) {
      throw new IllegalStateException("not created yet");
    }
    return name;
  }

  /** The JDBC URL of the database with this schema as the current one. */
  String url() {
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + name();
  }

  private static Connection connect() {
    try {
      return DriverManager.getConnection(URL);
    } catch (SQLException e) {
      throw Requirements.unavailable(
          "PostgreSQL at "
              + URL.replaceAll("password=[^&]*", "password=***")
              + " is not available ("
              + e.getMessage()
              + "). Start it with 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql)"
              + " main start', or set EVENTBUS_TEST_JDBC_URL.");
    }
  }
}
