package io.eventbus.jdbc;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.Health;
import io.eventbus.PublishOptions;
import io.eventbus.jdbc.internal.Dialect;
import io.eventbus.jdbc.internal.NewRow;
import io.eventbus.spi.BusExtensions;
import io.eventbus.spi.OutboundMessage;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transactional outbox: {@link #store} writes an event into a table in the caller's own database
 * transaction, and a relay publishes it through the bus once that transaction has committed. A
 * rollback publishes nothing; a crash after the commit delays the event, never loses it.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder(bus, dataSource).createSchema(true).build();
 *
 * try (Connection connection = dataSource.getConnection()) {
 *   connection.setAutoCommit(false);
 *   insertOrder(connection, order);
 *   outbox.store(connection, new OrderPlaced(order.id(), order.total()));
 *   connection.commit();                   // the relay publishes OrderPlaced after this
 * }
 * }</pre>
 *
 * The stored row holds the exact message the bus would have sent (id, type, source, time, partition
 * key, headers with the trace context, content type, body), encoded by the bus when it is stored;
 * the relay sends those bytes unchanged, so handlers see the id chosen at store time and can
 * deduplicate on it (see {@link Inbox}).
 *
 * <h2>Delivery and order</h2>
 *
 * At least once: a relay that dies after the broker confirmed and before it marked the row sends it
 * again. Rows are spread over {@value OutboxMessages#BUCKETS} buckets by partition key (by event id
 * without one); a relay thread leases one bucket at a time and sends its rows in position order,
 * and stores of one key are serialised until commit, so events of one partition key reach the
 * broker in commit order, across any number of relay threads and processes. A row the broker
 * refuses for good is parked in the dead-letter table and the rows behind it go on.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; build one per bus and table.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#build()} checks the database (creating the tables if asked), starts the relay
 * threads (none with {@code relayThreads(0)}: a process that only stores) and a sampler, and adds
 * the {@code outbox} component to {@link EventBus#health()}. {@link #close()} stops the relay,
 * waiting for a batch in flight; close the outbox before the bus. Idempotent.
 *
 * <h2>Failures</h2>
 *
 * {@link #store} throws {@link OutboxStoreException} when the database refuses or cannot be
 * reached, and what {@code publish} would fail with for the event itself ({@link
 * io.eventbus.UnknownEventTypeException}, {@link io.eventbus.PublishException}). The relay never
 * throws: it backs off while the database or the broker is unavailable, and {@link #health()} says
 * so.
 */
public final class Outbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final Dialect dialect;
  private final BusExtensions bus;
  private final OutboxSettings settings;
  private final @Nullable Relay relay;
  private final DeadLetterTable deadLetters;
  private final OutboxMonitor monitor;
  private final BusExtensions.HealthRegistration health;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final NotifyThrottle notifications;

  private Outbox(
      DataSource dataSource,
      Dialect dialect,
      BusExtensions bus,
      OutboxSettings settings,
      OpenTelemetry openTelemetry) {
    this.dialect = dialect;
    this.bus = bus;
    this.settings = settings;
    this.notifications = new NotifyThrottle(settings.notifyOnCommit(), System::nanoTime);
    this.relay = settings.relayThreads() > 0 ? new Relay(dataSource, dialect, bus, settings) : null;
    this.deadLetters = new DeadLetterTable(dataSource, dialect, settings);
    this.monitor = new OutboxMonitor(dataSource, dialect, settings, relay, openTelemetry);
    if (relay != null) {
      relay.start();
    }
    monitor.start();
    this.health = bus.addHealth(monitor::health);
  }

  /**
   * A builder for an outbox that publishes through {@code bus} from tables in {@code dataSource}.
   */
  public static Builder builder(EventBus bus, DataSource dataSource) {
    return new Builder(bus, dataSource);
  }

  /** Stores {@code event} with a fresh id in {@code connection}'s transaction. */
  public StoredEvent store(Connection connection, Object event) {
    return store(connection, event, PublishOptions.none());
  }

  /**
   * Stores {@code event} in {@code connection}'s transaction, to be published after it commits. The
   * event is encoded now, with the bus's registry, codec, clock and source; {@code options} choose
   * its id, correlation id, subject and extensions as for {@code publish}. In auto-commit mode the
   * row commits at once. Events of one partition key stored by concurrent transactions wait for
   * each other here until the first commits or rolls back.
   *
   * @throws OutboxStoreException if the row could not be inserted
   * @throws io.eventbus.UnknownEventTypeException if the event's class is not registered
   * @throws io.eventbus.PublishException if the event cannot be encoded or the bus is closed
   */
  public StoredEvent store(Connection connection, Object event, PublishOptions options) {
    Objects.requireNonNull(connection, "connection");
    OutboundMessage message = bus.prepare(event, options);
    NewRow row = OutboxMessages.row(message);
    try {
      long position = dialect.insert(connection, settings.tables(), row, notifications.take());
      return new StoredEvent(message.eventId(), message.eventType(), position);
    } catch (SQLException e) {
      throw new OutboxStoreException(
          message.eventId(), message.eventType(), settings.tables().outbox(), e);
    }
  }

  /**
   * Stores {@code event} with a fresh id in the transaction bound to this thread ({@link
   * JdbcTransaction#current()}: inside a handler of a subscription with the inbox).
   *
   * @throws IllegalStateException if no transaction is bound to this thread
   */
  public StoredEvent store(Object event) {
    return store(JdbcTransaction.current(), event, PublishOptions.none());
  }

  /** {@link #store(Object)} with options. */
  public StoredEvent store(Object event, PublishOptions options) {
    return store(JdbcTransaction.current(), event, options);
  }

  /**
   * The outbox's state: the table as sampled in the background (every {@link
   * Builder#sampleInterval}), and this process's relay. Never waits for the database.
   */
  public OutboxStatus status() {
    return monitor.status();
  }

  /**
   * The outbox as a health component named {@code outbox}, also part of the bus's health: {@link
   * Health.Status#DOWN} when the database cannot be sampled, the oldest unsent row is older than
   * {@link Builder#maxAge}, or this process's relay has made no progress for {@link
   * Builder#stallTimeout} while rows wait; {@link Health.Status#DEGRADED} while its last attempt
   * failed. Never waits for the database.
   */
  public Health.Component health() {
    return monitor.health();
  }

  /** The tables this outbox uses. */
  public JdbcTables tables() {
    return settings.tables();
  }

  /**
   * Up to {@code max} parked rows, oldest first (reads the database).
   *
   * @throws EventBusException if the database cannot be read
   */
  public List<OutboxDeadLetter> deadLetters(int max) {
    return deadLetters.list(max);
  }

  /**
   * Moves a parked row back into the outbox, behind every row stored before now (so after later
   * events of its partition key); the relay sends it again, with its original id and bytes.
   *
   * @return whether the row was parked
   * @throws EventBusException if the database refuses
   */
  public boolean replay(long position) {
    return deadLetters.replay(position);
  }

  /**
   * Deletes a parked row for good.
   *
   * @return whether the row was parked
   * @throws EventBusException if the database refuses
   */
  public boolean discard(long position) {
    return deadLetters.discard(position);
  }

  /** Stops the relay (a batch in flight finishes or rolls back) and the sampler. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.close();
    if (relay != null) {
      relay.close();
    }
    monitor.close();
  }

  /**
   * Collects an outbox's settings; {@link #build()} checks them, then the database, and starts the
   * outbox. Setters only reject null. Not thread-safe.
   */
  public static final class Builder {
    private final EventBus eventBus;
    private final DataSource dataSource;
    private JdbcTables tables = OutboxSettings.DEFAULTS.tables();
    private boolean createSchema = OutboxSettings.DEFAULTS.createSchema();
    private int relayThreads = OutboxSettings.DEFAULTS.relayThreads();
    private int batchSize = OutboxSettings.DEFAULTS.batchSize();
    private Duration pollInterval = OutboxSettings.DEFAULTS.pollInterval();
    private boolean notifyOnCommit = OutboxSettings.DEFAULTS.notifyOnCommit();
    private Duration sentRetention = OutboxSettings.DEFAULTS.sentRetention();
    private Duration confirmTimeout = OutboxSettings.DEFAULTS.confirmTimeout();
    private Duration maxAge = OutboxSettings.DEFAULTS.maxAge();
    private Duration stallTimeout = OutboxSettings.DEFAULTS.stallTimeout();
    private Duration sampleInterval = OutboxSettings.DEFAULTS.sampleInterval();
    private @Nullable OpenTelemetry openTelemetry;

    private Builder(EventBus bus, DataSource dataSource) {
      this.eventBus = Objects.requireNonNull(bus, "bus");
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Where the tables are (default {@link JdbcTables#defaults()}). */
    public Builder tables(JdbcTables tables) {
      this.tables = Objects.requireNonNull(tables, "tables");
      return this;
    }

    /**
     * Whether {@link #build()} creates the outbox tables if they are missing (default false: run
     * the scripts in {@code META-INF/eventbus/jdbc/postgresql/} with your migrations).
     */
    public Builder createSchema(boolean createSchema) {
      this.createSchema = createSchema;
      return this;
    }

    /**
     * How many relay threads this process runs (0 to {@value OutboxMessages#BUCKETS}, default 1); 0
     * for a process that only stores while others relay.
     */
    public Builder relayThreads(int relayThreads) {
      this.relayThreads = relayThreads;
      return this;
    }

    /** The most rows a relay thread sends per transaction (1 to 10,000, default 256). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * How often an idle relay looks for rows without being woken (positive, default 1 s); the only
     * way it learns of them when commit notifications are off or the database has none.
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
      return this;
    }

    /**
     * Whether stores notify relays on commit (PostgreSQL {@code NOTIFY}) and relays listen for it
     * (default true). Each notifying commit holds a database-wide lock until its WAL is flushed, so
     * an outbox notifies at most once per 10 ms; a woken relay keeps scanning while it finds rows
     * and looks again 25 ms after its last find. A row whose notification was skipped and that
     * commits after that is found by the next notification or poll.
     */
    public Builder notifyOnCommit(boolean notifyOnCommit) {
      this.notifyOnCommit = notifyOnCommit;
      return this;
    }

    /**
     * How long sent rows are kept, for inspection (not negative, default 1 hour); {@link
     * Duration#ZERO} deletes each row as it is sent.
     */
    public Builder sentRetention(Duration sentRetention) {
      this.sentRetention = Objects.requireNonNull(sentRetention, "sentRetention");
      return this;
    }

    /**
     * How long a relay waits for a batch's confirms before it rolls back and tries the rest again
     * (positive, default 60 s; the transport's own publish deadline usually ends the wait first).
     */
    public Builder confirmTimeout(Duration confirmTimeout) {
      this.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
      return this;
    }

    /** Health is DOWN when the oldest unsent row is older than this (default 1 minute). */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /**
     * Health is DOWN when this process's relay made no progress for this long while rows wait
     * (default 1 minute).
     */
    public Builder stallTimeout(Duration stallTimeout) {
      this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
      return this;
    }

    /** How often the table's depth and oldest row are sampled (positive, default 5 s). */
    public Builder sampleInterval(Duration sampleInterval) {
      this.sampleInterval = Objects.requireNonNull(sampleInterval, "sampleInterval");
      return this;
    }

    /**
     * Where the outbox's metrics go (default {@link GlobalOpenTelemetry#get()}, as for the bus).
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** The settings as given so far, validated. */
    OutboxSettings settings() {
      return new OutboxSettings(
          tables,
          createSchema,
          relayThreads,
          batchSize,
          pollInterval,
          notifyOnCommit,
          sentRetention,
          confirmTimeout,
          maxAge,
          stallTimeout,
          sampleInterval);
    }

    /**
     * Checks the settings and the database (creating the tables if asked) and starts the relay.
     *
     * @throws EventBusConfigurationException naming the setting if one is out of range; if the bus
     *     offers no {@link BusExtensions} or the database is not supported
     * @throws EventBusException if the database cannot be reached or the tables cannot be created
     */
    public Outbox build() {
      OutboxSettings settings = settings();
      BusExtensions extensions = BusExtensions.of(eventBus);
      Dialect dialect = Schema.prepare(dataSource, tables, createSchema, Schema.Part.OUTBOX);
      Outbox outbox =
          new Outbox(
              dataSource,
              dialect,
              extensions,
              settings,
              openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get());
      log.info("Outbox on {} started with {} relay thread(s)", tables.outbox(), relayThreads);
      return outbox;
    }
  }
}
