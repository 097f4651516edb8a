package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.PublishOptions;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.TestEvents.OrderPlaced;
import io.eventbus.jdbc.TestEvents.ShipmentRequested;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The inbox on the real PostgreSQL and the in-memory transport. */
@EventBusTest
class InboxIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension static final TestDatabase database = TestDatabase.create();

  private static final AtomicInteger tests = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final JdbcTables tables = database.tables("ib" + tests.incrementAndGet() + "_");
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();
  private Inbox inbox;
  private String shipments;

  @BeforeEach
  void createTables() throws Exception {
    inbox = Inbox.builder(database.dataSource()).tables(tables).createSchema(true).build();
    closing.add(inbox);
    shipments = database.schema() + "." + tables.prefix() + "shipments";
    database.execute(
        "CREATE TABLE " + shipments + " (order_id text NOT NULL, attempt int NOT NULL)");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** A handler that records a shipment in the inbox's transaction and counts its runs. */
  private void ship(OrderPlaced order, EventContext context) throws Exception {
    runs.incrementAndGet();
    Connection connection = JdbcTransaction.current();
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + shipments + " VALUES (?, ?)")) {
      insert.setString(1, order.orderId());
      insert.setInt(2, context.attempt());
      insert.executeUpdate();
    }
  }

  @Test
  void aDuplicateDeliveryIsAcknowledgedWithoutRunningTheHandlerAgain(EventBusFixture fixture)
      throws Exception {
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping").middleware(inbox.middleware()).build(),
                Handlers.builder().on(OrderPlaced.class, this::ship).build())
            .build();
    closing.add(bus);

    PublishOptions sameId = PublishOptions.none().withId("order-1-placed");
    bus.publish(new OrderPlaced("o-1", 1), sameId).toCompletableFuture().join();
    bus.publish(new OrderPlaced("o-1", 1), sameId).toCompletableFuture().join();

    fixture.recorder().awaitHandled(OrderPlaced.class, 2, WAIT);
    assertThat(runs).hasValue(1);
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
    assertThat(
            database.queryLong(
                "SELECT count(*) FROM "
                    + tables.inbox()
                    + " WHERE subscription = 'shipping' AND event_id = 'order-1-placed'"))
        .isEqualTo(1);
  }

  @Test
  void theHandlersWritesAndOutboxStoresCommitWithTheInboxRecord(EventBusFixture fixture)
      throws Exception {
    EventBus bus = fixture.busBuilder().register(ShipmentRequested.class).build();
    closing.add(bus);
    Outbox outbox =
        Outbox.builder(bus, database.dataSource()).tables(tables).createSchema(true).build();
    closing.add(outbox);
    List<ShipmentRequested> requested = new CopyOnWriteArrayList<>();
    bus.subscribe(
        SubscriptionOptions.named("warehouse"),
        Handlers.builder()
            .on(ShipmentRequested.class, (event, context) -> requested.add(event))
            .build());
    bus.subscribe(
        SubscriptionOptions.builder("shipping").middleware(inbox.middleware()).build(),
        Handlers.builder()
            .on(
                OrderPlaced.class,
                (OrderPlaced order, EventContext context) -> {
                  ship(order, context);
                  outbox.store(new ShipmentRequested(order.orderId()));
                })
            .build());

    bus.publishAndWait(new OrderPlaced("o-2", 1));

    fixture.recorder().awaitHandled("warehouse", ShipmentRequested.class, 1, WAIT);
    assertThat(requested).containsExactly(new ShipmentRequested("o-2"));
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
  }

  @Test
  void aFailedAttemptRollsBackTheHandlersWritesItsStoresAndTheRecordSoTheRetryRunsAgain(
      EventBusFixture fixture) throws Exception {
    EventBus bus = fixture.busBuilder().register(ShipmentRequested.class).build();
    closing.add(bus);
    Outbox outbox =
        Outbox.builder(bus, database.dataSource()).tables(tables).createSchema(true).build();
    closing.add(outbox);
    bus.subscribe(
        SubscriptionOptions.named("warehouse"),
        Handlers.builder().on(ShipmentRequested.class, (event, context) -> {}).build());
    bus.subscribe(
        SubscriptionOptions.builder("shipping")
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                    .build())
            .middleware(inbox.middleware())
            .build(),
        Handlers.builder()
            .on(
                OrderPlaced.class,
                (OrderPlaced order, EventContext context) -> {
                  ship(order, context);
                  outbox.store(new ShipmentRequested(order.orderId()));
                  if (context.attempt() == 1) {
                    throw new IllegalStateException("the first attempt fails after its writes");
                  }
                })
            .build());

    bus.publishAndWait(new OrderPlaced("o-3", 1));

    fixture.recorder().awaitHandled("warehouse", ShipmentRequested.class, 1, WAIT);
    fixture.recorder().awaitHandled("shipping", OrderPlaced.class, 1, WAIT);
    assertThat(runs).hasValue(2);
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
    assertThat(database.queryLong("SELECT max(attempt) FROM " + shipments)).isEqualTo(2);
    assertThat(database.queryLong("SELECT count(*) FROM " + tables.outbox())).isEqualTo(1);
  }

  @Test
  void aConcurrentDuplicateWaitsForTheFirstToCommitAndIsSkipped(EventBusFixture fixture)
      throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .concurrency(2)
                    .middleware(inbox.middleware())
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced order, EventContext context) -> {
                          ship(order, context);
                          firstStarted.countDown();
                          release.await(30, TimeUnit.SECONDS);
                        })
                    .build())
            .build();
    closing.add(bus);
    PublishOptions sameId = PublishOptions.none().withId("order-4-placed");

    bus.publish(new OrderPlaced("o-4", 1), sameId).toCompletableFuture().join();
    assertThat(firstStarted.await(30, TimeUnit.SECONDS)).isTrue();
    bus.publish(new OrderPlaced("o-4", 1), sameId).toCompletableFuture().join();
    Await.until(
        TIMEOUT,
        () ->
            database.queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE"
                    + " 'INSERT INTO "
                    + tables.inbox()
                    + "%'"),
        waiting -> waiting == 1,
        "the duplicate waiting on the inbox record");
    release.countDown();

    fixture.recorder().awaitHandled(OrderPlaced.class, 2, WAIT);
    assertThat(runs).hasValue(1);
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
  }

  @Test
  void theHandlerCannotEndTheInboxTransactionButMayCloseItsConnection(EventBusFixture fixture)
      throws Exception {
    List<Throwable> refused = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping").middleware(inbox.middleware()).build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced order, EventContext context) -> {
                          try (Connection connection = JdbcTransaction.current()) {
                            assertThatThrownBy(connection::commit)
                                .isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("the inbox owns this transaction");
                            assertThatThrownBy(() -> connection.setAutoCommit(true))
                                .isInstanceOf(IllegalStateException.class);
                          } catch (AssertionError e) {
                            refused.add(e);
                          }
                          ship(order, context);
                        })
                    .build())
            .build();
    closing.add(bus);

    bus.publishAndWait(new OrderPlaced("o-5", 1));

    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
    assertThat(refused).isEmpty();
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
    assertThat(JdbcTransaction.find()).isEmpty();
  }

  @Test
  void retentionDeletesRecordsOlderThanItsWindowOnly() throws Exception {
    Inbox shortLived =
        Inbox.builder(database.dataSource()).tables(tables).retention(Duration.ofHours(1)).build();
    closing.add(shortLived);
    database.execute(
        "INSERT INTO "
            + tables.inbox()
            + " (subscription, event_id, handled_at) VALUES ('s', 'old', now() - interval '2"
            + " hours'), ('s', 'new', now())");

    assertThat(shortLived.purge()).isEqualTo(1);
    assertThat(database.queryLong("SELECT count(*) FROM " + tables.inbox())).isEqualTo(1);
  }

  @Test
  void whileTheDatabaseIsDownAttemptsFailWithInboxExceptionAndTheEventIsHandledOnceItIsBack(
      EventBusFixture fixture) throws Exception {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try (ConnectionCutter cutter = ConnectionCutter.start("127.0.0.1", 5432)) {
      Inbox unreachable =
          Inbox.builder(database.dataSourceVia(cutter.port())).tables(tables).build();
      closing.add(unreachable);
      EventBus bus =
          fixture
              .busBuilder()
              .subscribe(
                  SubscriptionOptions.builder("shipping")
                      .retryPolicy(
                          RetryPolicy.builder()
                              .maxAttempts(100)
                              .backoff(Duration.ofMillis(100), 1.0, Duration.ofMillis(100))
                              .build())
                      .middleware(
                          (delivery, chain) -> {
                            try {
                              chain.proceed(delivery);
                            } catch (Exception e) {
                              failures.add(e);
                              throw e;
                            }
                          })
                      .middleware(unreachable.middleware())
                      .build(),
                  Handlers.builder().on(OrderPlaced.class, this::ship).build())
              .build();
      closing.add(bus);
      cutter.refuseNewConnections();
      cutter.cutAll();

      bus.publishAndWait(new OrderPlaced("o-6", 1));

      Await.until(TIMEOUT, () -> failures.size(), n -> n >= 2, "a failed attempt");
      assertThat(failures).allSatisfy(e -> assertThat(e).isInstanceOf(InboxException.class));
      assertThat(runs).hasValue(0);
      cutter.acceptNewConnections();

      fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
      assertThat(runs).hasValue(1);
      assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
    }
  }

  /**
   * Transactions from the data source, marked with a transaction-local setting so that the handler
   * can tell it runs in one of them, counting what the inbox does with them.
   */
  private static final class CountingTransactions implements InboxTransactions {
    final AtomicInteger begun = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger rolledBack = new AtomicInteger();
    final AtomicInteger failCommits = new AtomicInteger();

    @Override
    public Transaction begin() throws SQLException {
      Connection connection = database.dataSource().getConnection();
      connection.setAutoCommit(false);
      try (Statement mark = connection.createStatement()) {
        mark.execute("SELECT set_config('eventbus.source', 'given', true)");
      }
      begun.incrementAndGet();
      return new Transaction() {
        private boolean ended;

        @Override
        public Connection connection() {
          return connection;
        }

        @Override
        public void commit() throws SQLException {
          if (failCommits.getAndDecrement() > 0) {
            connection.rollback();
            throw new SQLException("commit lost with the connection", "08006");
          }
          connection.commit();
          committed.incrementAndGet();
          end();
        }

        @Override
        public void rollback() throws SQLException {
          if (!ended) {
            connection.rollback();
            rolledBack.incrementAndGet();
            end();
          }
        }

        private void end() throws SQLException {
          ended = true;
          connection.setAutoCommit(true);
          connection.close();
        }
      };
    }
  }

  @Test
  void givenTransactionsCarryEachAttemptAndEndAsTheHandlerDid(EventBusFixture fixture)
      throws Exception {
    CountingTransactions transactions = new CountingTransactions();
    transactions.failCommits.set(1);
    Inbox given =
        Inbox.builder(database.dataSource()).tables(tables).transactions(transactions).build();
    closing.add(given);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .retryPolicy(
                        RetryPolicy.builder()
                            .maxAttempts(5)
                            .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
                            .build())
                    .middleware(
                        (delivery, chain) -> {
                          try {
                            chain.proceed(delivery);
                          } catch (Exception e) {
                            failures.add(e);
                            throw e;
                          }
                        })
                    .middleware(given.middleware())
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced order, EventContext context) -> {
                          try (Statement read = JdbcTransaction.current().createStatement();
                              ResultSet mark =
                                  read.executeQuery(
                                      "SELECT current_setting('eventbus.source', true)")) {
                            mark.next();
                            seen.add(mark.getString(1));
                          }
                          ship(order, context);
                        })
                    .build())
            .build();
    closing.add(bus);
    PublishOptions sameId = PublishOptions.none().withId("order-7-placed");

    bus.publish(new OrderPlaced("o-7", 1), sameId).toCompletableFuture().join();
    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
    bus.publish(new OrderPlaced("o-7", 1), sameId).toCompletableFuture().join();
    fixture.recorder().awaitHandled(OrderPlaced.class, 2, WAIT);

    assertThat(failures).hasSize(1);
    assertThat(failures.get(0))
        .isInstanceOf(InboxException.class)
        .hasMessageContaining("could not commit")
        .hasMessageContaining("08006");
    assertThat(seen).containsExactly("given", "given");
    assertThat(transactions.begun).hasValue(3);
    assertThat(transactions.committed).hasValue(1);
    assertThat(transactions.rolledBack).hasValue(2);
    assertThat(runs).hasValue(2);
    assertThat(database.queryLong("SELECT count(*) FROM " + shipments)).isEqualTo(1);
  }
}
