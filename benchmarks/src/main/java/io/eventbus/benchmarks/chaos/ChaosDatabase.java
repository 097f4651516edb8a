package io.eventbus.benchmarks.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventbus.jdbc.JdbcTables;

/** The outbox chaos processes' view of PostgreSQL: a small pool and the run's tables. */
final class ChaosDatabase {
  private ChaosDatabase() {}

  static HikariDataSource pool(String url, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.setPoolName(name);
    return new HikariDataSource(config);
  }

  static JdbcTables tables(String schema) {
    return JdbcTables.defaults().withSchema(schema);
  }
}
