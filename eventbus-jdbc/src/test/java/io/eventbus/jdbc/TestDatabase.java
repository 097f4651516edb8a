package io.eventbus.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The real PostgreSQL of the tests ({@code EVENTBUS_TEST_JDBC_URL}, default the local database
 * {@code test} as user {@code postgres}), with a schema of the test class's own, created before it
 * and dropped after it, so that classes running at the same time never see each other's rows.
 *
 * <p>When no database answers, a test class fails if {@code CI=true} and is skipped otherwise (the
 * rule of the testkit's broker extension; to be replaced by the testkit's shared helper when it
 * lands).
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
  public static final String URL =
      System.getenv()
          .getOrDefault(
              "EVENTBUS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final List<HikariDataSource> pools = new ArrayList<>();
  private @Nullable String schema;
  private @Nullable HikariDataSource dataSource;

  public static TestDatabase create() {
    return new TestDatabase();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    String owner = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    schema =
        "t_"
            + owner.substring(0, Math.min(owner.length(), 24))
            + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = DriverManager.getConnection(URL)) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA " + schema);
      }
    } catch (SQLException e) {
      String message =
          "No PostgreSQL at "
              + URL.replaceAll("password=[^&]*", "password=***")
              + " ("
              + e.getMessage()
              + "); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql)"
              + " main start";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionFailedError(message + " (CI=true: a test that needs it fails)");
      }
      throw new TestAbortedException(message);
    }
    dataSource = pool(URL, 10);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    pools.forEach(HikariDataSource::close);
    if (schema != null) {
      try (Connection connection = DriverManager.getConnection(URL);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  /** The test class's schema. */
  public String schema() {
    if (schema == null) {
      throw new IllegalStateException("not started");
    }
    return schema;
  }

  /** Tables in the test class's schema with a prefix of their own. */
  public JdbcTables tables(String prefix) {
    return JdbcTables.defaults().withSchema(schema()).withPrefix(prefix);
  }

  /** A pool of up to 10 connections to the database. */
  public DataSource dataSource() {
    if (dataSource == null) {
      throw new IllegalStateException("not started");
    }
    return dataSource;
  }

  /** A pool to the database through a proxy on {@code port} (a ConnectionCutter). */
  DataSource dataSourceVia(int port) {
    return pool(URL.replace(":5432/", ":" + port + "/"), 10);
  }

  private HikariDataSource pool(String url, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(3_000);
    config.setValidationTimeout(1_000);
    config.setPoolName("test-" + schema);
    config.addDataSourceProperty("socketTimeout", "30");
    HikariDataSource pool = new HikariDataSource(config);
    synchronized (pools) {
      pools.add(pool);
    }
    return pool;
  }

  /** Runs one SQL query that returns a single number. */
  long queryLong(String sql) throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  /** Runs one SQL statement. */
  public void execute(String sql) throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
