package io.eventbus.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.testkit.junit5.Requirements;
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

/**
 * The real PostgreSQL of the tests ({@code EVENTBUS_TEST_JDBC_URL}, default the local database
 * {@code test} as user {@code postgres}), with a schema of the test class's own, created before it
 * and dropped after it, so that classes running at the same time never see each other's rows.
 *
 * <p>When no database answers, the test class follows the testkit's {@link Requirements} rule: it
 * fails on CI and is skipped elsewhere, saying how to start one.
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
  public void beforeAll(ExtensionContext context) throws SQLException {
    String owner = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
    String name =
        "t_"
            + owner.substring(0, Math.min(owner.length(), 24))
            + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + name);
    }
    schema = name;
    dataSource = pool(URL, 10);
  }

  /** A connection to the database; if none answers, the testkit's rule fails or skips the class. */
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
