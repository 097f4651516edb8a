package io.eventbus.jdbc.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.PartitionKey;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.JdbcTables;
import io.eventbus.jdbc.JdbcTransaction;
import io.eventbus.jdbc.Outbox;
import io.eventbus.jdbc.OutboxDeadLetter;
import io.eventbus.jdbc.OutboxStatus;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The examples of docs/outbox.md, compiled and run: the text between the {@code tag::} and {@code
 * end::} comments is what the page quotes.
 */
@EventBusTest
class OutboxExamplesIT {
  private static final String SCHEMA = "docs_" + UUID.randomUUID().toString().substring(0, 8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  // tag::events[]
  @EventType("order.placed.v1")
  public record OrderPlaced(@PartitionKey String orderId, BigDecimal total) {}

  @EventType("shipment.requested.v1")
  public record ShipmentRequested(@PartitionKey String orderId) {}

  // end::events[]

  private static DataSource dataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
    dataSource.setUser("postgres");
    return dataSource;
  }

  @BeforeAll
  static void createSchema() throws SQLException {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + SCHEMA);
      statement.execute(
          "CREATE TABLE " + SCHEMA + ".orders (id text PRIMARY KEY, total numeric NOT NULL)");
      statement.execute("CREATE TABLE " + SCHEMA + ".shipments (order_id text PRIMARY KEY)");
    } catch (SQLException e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionFailedError("No PostgreSQL (CI=true): " + e.getMessage());
      }
      throw new TestAbortedException("No PostgreSQL: " + e.getMessage());
    }
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  /** The order service of the page: stores OrderPlaced in the transaction that saves the order. */
  static final class OrderService {
    private final DataSource dataSource;
    private final Outbox outbox;

    OrderService(DataSource dataSource, Outbox outbox) {
      this.dataSource = dataSource;
      this.outbox = outbox;
    }

    // tag::store[]
    void placeOrder(String orderId, BigDecimal total) throws SQLException {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try (PreparedStatement insert =
            connection.prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
          insert.setString(1, orderId);
          insert.setBigDecimal(2, total);
          insert.executeUpdate();
        }
        outbox.store(connection, new OrderPlaced(orderId, total)); // same transaction
        connection.commit(); // published after this; a rollback publishes nothing
      }
    }
    // end::store[]
  }

  // tag::handler[]
  static final class ShippingHandlers {
    private final Outbox outbox;

    ShippingHandlers(Outbox outbox) {
      this.outbox = outbox;
    }

    @EventHandler
    void on(OrderPlaced order) throws SQLException {
      Connection connection = JdbcTransaction.current(); // the inbox's transaction
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO shipments (order_id) VALUES (?)")) {
        insert.setString(1, order.orderId());
        insert.executeUpdate();
      }
      outbox.store(new ShipmentRequested(order.orderId())); // commits with the handler
    }
  }

  // end::handler[]

  @Test
  void theOrderFlowOfThePage(EventBusFixture fixture) throws Exception {
    PGSimpleDataSource dataSource = (PGSimpleDataSource) dataSource();
    dataSource.setCurrentSchema(SCHEMA);
    EventRecorder recorder = fixture.recorder();
    JdbcTables tables = JdbcTables.defaults().withSchema(SCHEMA);
    // tag::setup[]
    EventBus bus =
        fixture
            .busBuilder() // EventBus.builder().transport(...) in an application
            .source("/orders")
            .register(OrderPlaced.class, ShipmentRequested.class)
            .build();
    Outbox outbox =
        Outbox.builder(bus, dataSource)
            .tables(tables) // default: eventbus_outbox in the current schema
            .createSchema(true) // or run META-INF/eventbus/jdbc/postgresql/*.sql yourself
            .build();
    Inbox inbox = Inbox.builder(dataSource).tables(tables).createSchema(true).build();
    bus.subscribe(
        SubscriptionOptions.builder("shipping").middleware(inbox.middleware()).build(),
        Handlers.scan(new ShippingHandlers(outbox)));
    // end::setup[]
    bus.subscribe(
        SubscriptionOptions.named("warehouse"),
        Handlers.builder().on(ShipmentRequested.class, (event, context) -> {}).build());

    new OrderService(dataSource, outbox).placeOrder("o-1", new BigDecimal("9.90"));

    recorder.awaitHandled("warehouse", ShipmentRequested.class, 1, WAIT);
    // tag::operate[]
    OutboxStatus status = outbox.status(); // unsent rows, oldest age, relayed, relay lag
    Health.Component health = outbox.health(); // also in bus.health() as "outbox"
    for (OutboxDeadLetter parked : outbox.deadLetters(100)) {
      System.out.println(parked.eventId() + " " + parked.eventType() + ": " + parked.reason());
      // fix the cause, then: outbox.replay(parked.position()); or outbox.discard(...)
    }
    // end::operate[]
    assertThat(status.relayThreads()).isEqualTo(1);
    assertThat(health.name()).isEqualTo("outbox");
    // tag::close[]
    outbox.close(); // stops the relay; a batch in flight finishes or rolls back
    bus.close();
    inbox.close();
    // end::close[]
  }
}
