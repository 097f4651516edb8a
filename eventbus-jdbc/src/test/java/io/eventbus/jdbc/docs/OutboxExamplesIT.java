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
import io.eventbus.jdbc.TestDatabase;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The examples of docs/outbox.md, compiled and run: the text between the {@code tag::} and {@code
 * end::} comments is what the page quotes.
 */
@EventBusTest
class OutboxExamplesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  // tag::events[]
  @EventType("order.placed.v1")
  public record OrderPlaced(@PartitionKey String orderId, BigDecimal total) {}

  @EventType("shipment.requested.v1")
  public record ShipmentRequested(@PartitionKey String orderId) {}

  // end::events[]

  @RegisterExtension static final TestDatabase database = TestDatabase.create();

  @BeforeAll
  static void createTables() throws SQLException {
    database.execute(
        "CREATE TABLE "
            + database.schema()
            + ".orders (id text PRIMARY KEY, total numeric NOT NULL)");
    database.execute(
        "CREATE TABLE " + database.schema() + ".shipments (order_id text PRIMARY KEY)");
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
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(TestDatabase.URL);
    dataSource.setCurrentSchema(database.schema());
    EventRecorder recorder = fixture.recorder();
    JdbcTables tables = JdbcTables.defaults().withSchema(database.schema());
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
