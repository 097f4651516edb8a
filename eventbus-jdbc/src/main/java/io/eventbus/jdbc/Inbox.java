package io.eventbus.jdbc;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.jdbc.internal.Dialect;
import io.eventbus.middleware.Middleware;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An idempotent inbox: its {@link #middleware()} runs each handler attempt inside a database
 * transaction together with a record of (subscription, event id), so that an event is handled once
 * per subscription however often it is delivered, and the handler's own writes and {@link
 * Outbox#store(Object) outbox stores} commit with that record or not at all.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.builder(dataSource).createSchema(true).build();
 * bus.subscribe(
 *     SubscriptionOptions.builder("shipping").middleware(inbox.middleware()).build(),
 *     Handlers.scan(new ShippingHandlers(outbox)));
 * }</pre>
 *
 * <h2>What happens to a delivery</h2>
 *
 * The middleware takes a connection from the data source, begins a transaction (or asks the {@link
 * Builder#transactions InboxTransactions} given, such as a framework's transaction manager, for
 * one), inserts the record ({@code ON CONFLICT DO NOTHING}). If the record existed, the event was
 * handled before: the handler is skipped and the delivery acknowledged. Otherwise the transaction
 * is bound to the thread ({@link JdbcTransaction#current()}), the handler runs, and the transaction
 * commits when it returns or rolls back (record included) when it throws, so the attempt can be
 * retried, redelivered or dead-lettered as usual. A duplicate delivered while the first is still
 * being handled waits on the record's unique key until the first commits (then it is skipped) or
 * rolls back (then it runs).
 *
 * <p>Place it where middleware goes by default, just before the handler ({@code
 * middleware(inbox.middleware())}): it then runs per attempt, inside retries and the handler
 * timeout. It needs the decoded event, so it cannot go before {@code Stage.DECODE}.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; one inbox serves any number of subscriptions of one database.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} checks the database (creating the table if asked) and starts a thread
 * that deletes records older than {@link Builder#retention}. {@link #close()} stops it; close it
 * after the bus. Idempotent.
 *
 * <h2>Failures</h2>
 *
 * A database that refuses or cannot be reached fails the attempt with {@link InboxException}, which
 * the subscription retries like any handler failure. A record deleted by retention no longer
 * protects its event: keep retention longer than any redelivery or dead-letter replay.
 */
public final class Inbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Inbox.class);
  private static final int PURGE_CHUNK = 5_000;

  private final DataSource dataSource;
  private final Dialect dialect;
  private final JdbcTables tables;
  private final Duration retention;
  private final InboxMiddleware middleware;
  private final ScheduledExecutorService cleaner;

  private Inbox(Builder builder, Dialect dialect, OpenTelemetry openTelemetry) {
    this.dataSource = builder.dataSource;
    this.dialect = dialect;
    this.tables = builder.tables;
    this.retention = builder.retention;
    InboxTransactions transactions =
        builder.transactions != null
            ? builder.transactions
            : new LocalInboxTransactions(builder.dataSource);
    this.middleware = new InboxMiddleware(transactions, dialect, tables, openTelemetry);
    this.cleaner =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "eventbus-inbox-retention");
              thread.setDaemon(true);
              return thread;
            });
    long every = builder.cleanupInterval.toMillis();
    cleaner.scheduleWithFixedDelay(this::purge, every, every, TimeUnit.MILLISECONDS);
  }

  /** A builder for an inbox in {@code dataSource}. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The middleware that makes a subscription idempotent; add it to each such subscription. */
  public Middleware middleware() {
    return middleware;
  }

  /** The tables this inbox uses. */
  public JdbcTables tables() {
    return tables;
  }

  /**
   * Deletes records older than the retention now (it also happens in the background).
   *
   * @return how many were deleted
   * @throws EventBusException if the database refuses
   */
  public int purge() {
    int total = 0;
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      int deleted;
      do {
        deleted = dialect.purgeInbox(connection, tables, retention, PURGE_CHUNK);
        total += deleted;
      } while (deleted == PURGE_CHUNK);
    } catch (SQLException e) {
      log.debug("Inbox retention: {}", e.getMessage());
      throw new EventBusException("Could not purge " + tables.inbox() + ": " + e.getMessage(), e);
    }
    return total;
  }

  /** Stops the retention thread. Idempotent. */
  @Override
  public void close() {
    cleaner.shutdownNow();
    middleware.close();
  }

  /**
   * Collects an inbox's settings; {@link #build()} checks them, then the database. Setters only
   * reject null. Not thread-safe.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private JdbcTables tables = JdbcTables.defaults();
    private boolean createSchema;
    private Duration retention = Duration.ofDays(7);
    private Duration cleanupInterval = Duration.ofMinutes(5);
    private @Nullable OpenTelemetry openTelemetry;
    private @Nullable InboxTransactions transactions;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Where the table is (default {@link JdbcTables#defaults()}). */
    public Builder tables(JdbcTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables");
      return this;
    }

    /** Whether {@link #build()} creates the inbox table if it is missing (default false). */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * How long a record is kept (positive, default 7 days): a duplicate arriving later runs the
     * handler again. Keep it longer than the longest redelivery delay and any dead-letter replay.
     */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** How often old records are deleted (positive, default 5 minutes). */
    public Builder cleanupInterval(Duration cleanupInterval) {
      this.cleanupInterval = Objects.requireNonNull(cleanupInterval, "cleanupInterval");
      return this;
    }

    /**
     * Where each attempt's transaction comes from (default: the inbox's own, on a connection from
     * the data source). Its transactions must be on the same database as the data source, which the
     * inbox still uses to check the table, create it if asked, and delete old records.
     */
    public Builder transactions(InboxTransactions transactions) {
      this.transactions = Objects.requireNonNull(transactions, "transactions");
      return this;
    }

    /** Where the inbox's metrics go (default {@link GlobalOpenTelemetry#get()}). */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * Checks the settings and the database (creating the table if asked) and starts the retention
     * thread.
     *
     * @throws EventBusConfigurationException naming the setting if one is out of range; if the
     *     database is not supported
     * @throws EventBusException if the database cannot be reached or the table cannot be created
     */
    public Inbox build() {
      OutboxSettings.positive("Inbox.Builder", "retention", retention);
      OutboxSettings.positive("Inbox.Builder", "cleanupInterval", cleanupInterval);
      Dialect dialect = Schema.prepare(dataSource, tables, createSchema, Schema.Part.INBOX);
      return new Inbox(
          this, dialect, openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get());
    }
  }
}
