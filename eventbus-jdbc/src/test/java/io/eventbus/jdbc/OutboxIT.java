package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.PublishOptions;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.jdbc.TestEvents.NobodyListens;
import io.eventbus.jdbc.TestEvents.OrderPlaced;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox on the real PostgreSQL and the in-memory transport: publish on commit, nothing on
 * rollback, a restart after a crash between commit and send, poison rows, a database outage.
 */
@EventBusTest
class OutboxIT {
  @RegisterExtension static final TestDatabase database = TestDatabase.create();

  private static final AtomicInteger tests = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final JdbcTables tables = database.tables("ob" + tests.incrementAndGet() + "_");
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** Handled events in the order the subscription handled them. */
  private final List<OrderPlaced> handled = new CopyOnWriteArrayList<>();

  private final List<String> handledIds = new CopyOnWriteArrayList<>();

  private EventBus consumingBus(EventBusFixture fixture) {
    return consumingBus(fixture, false);
  }

  private EventBus consumingBus(EventBusFixture fixture, boolean failUnroutable) {
    EventBus bus =
        EventBus.builder()
            .transport(fixture.transport(settings -> settings.failUnroutable(failUnroutable)))
            .source("/orders")
            .register(NobodyListens.class)
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .ordering(SubscriptionOptions.Ordering.ORDERED)
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced event, EventContext context) -> {
                          handled.add(event);
                          handledIds.add(context.metadata().id());
                        })
                    .build())
            .build();
    closing.add(bus);
    return bus;
  }

  private Outbox outbox(EventBus bus, DataSource dataSource, int relayThreads) {
    Outbox outbox =
        Outbox.builder(bus, dataSource)
            .tables(tables)
            .createSchema(true)
            .relayThreads(relayThreads)
            .sampleInterval(Duration.ofMillis(100))
            .stallTimeout(Duration.ofSeconds(1))
            .build();
    closing.add(outbox);
    return outbox;
  }

  @Test
  void anEventStoredInACommittedTransactionIsPublishedWithItsIdAfterTheCommit(
      EventBusFixture fixture) throws Exception {
    EventBus bus = consumingBus(fixture);
    Outbox outbox = outbox(bus, database.dataSource(), 1);

    StoredEvent stored;
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      stored =
          outbox.store(
              connection,
              new OrderPlaced("o-1", 1),
              PublishOptions.none().withCorrelationId("o-1"));
      connection.commit();
    }

    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
    assertThat(handledIds).containsExactly(stored.eventId());
    assertThat(handled).containsExactly(new OrderPlaced("o-1", 1));
    assertThat(fixture.recorder().deliveries().get(0).message().headers())
        .containsEntry(CloudEventsAttributes.SOURCE, "/orders")
        .containsEntry(CloudEventsAttributes.CORRELATION_ID, "o-1");
    Await.until(
        WAIT,
        () ->
            database.queryLong(
                "SELECT count(*) FROM " + tables.outbox() + " WHERE sent_at IS NOT NULL"),
        count -> count == 1,
        "the row marked sent");
  }

  @Test
  void aRolledBackTransactionPublishesNothing(EventBusFixture fixture) throws Exception {
    EventBus bus = consumingBus(fixture);
    Outbox outbox = outbox(bus, database.dataSource(), 1);

    String rolledBack;
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      rolledBack = outbox.store(connection, new OrderPlaced("o-2", 1)).eventId();
      connection.rollback();
      String committed = outbox.store(connection, new OrderPlaced("o-2", 2)).eventId();
      connection.commit();

      fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
      assertThat(handledIds).containsExactly(committed);
    }
    assertThat(
            database.queryLong(
                "SELECT count(*) FROM "
                    + tables.outbox()
                    + " WHERE event_id = '"
                    + rolledBack
                    + "'"))
        .isZero();
  }

  @Test
  void eventsCommittedBeforeACrashAreSentByTheRelayAfterTheRestart(EventBusFixture fixture)
      throws Exception {
    EventBus application = fixture.busBuilder().register(OrderPlaced.class).build();
    Outbox storing = outbox(application, database.dataSource(), 0);
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      for (int i = 1; i <= 5; i++) {
        storing.store(connection, new OrderPlaced("o-3", i));
      }
      connection.commit();
    }
    // The application dies after the commit, before anything was sent.
    storing.close();
    application.close();
    assertThat(fixture.recorder().published()).isEmpty();

    EventBus restarted = consumingBus(fixture);
    outbox(restarted, database.dataSource(), 1);

    fixture.recorder().awaitHandled(OrderPlaced.class, 5, WAIT);
    assertThat(handled).extracting(OrderPlaced::sequence).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void aRowThatIsNoLongerAValidMessageIsParkedAndTheRowsBehindItGoOn(EventBusFixture fixture)
      throws Exception {
    EventBus bus = consumingBus(fixture);
    Outbox storing = outbox(bus, database.dataSource(), 0);
    StoredEvent poison;
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      storing.store(connection, new OrderPlaced("o-4", 1));
      poison = storing.store(connection, new OrderPlaced("o-4", 2));
      storing.store(connection, new OrderPlaced("o-4", 3));
      connection.commit();
    }
    database.execute(
        "UPDATE "
            + tables.outbox()
            + " SET headers = '[1, 2]' WHERE position = "
            + poison.position());

    Outbox relaying = outbox(bus, database.dataSource(), 1);

    fixture.recorder().awaitHandled(OrderPlaced.class, 2, WAIT);
    assertThat(handled).extracting(OrderPlaced::sequence).containsExactly(1, 3);
    List<OutboxDeadLetter> parked =
        Await.until(
            WAIT, () -> relaying.deadLetters(10), rows -> !rows.isEmpty(), "the poison row parked");
    assertThat(parked)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.eventId()).isEqualTo(poison.eventId());
              assertThat(row.partitionKey()).isEqualTo("o-4");
              assertThat(row.reason()).contains("not a valid message").contains("JSON object");
              assertThat(row.errorType()).isEqualTo(IllegalArgumentException.class.getName());
            });
    Await.until(
        WAIT, () -> relaying.status().deadLettered(), n -> n == 1, "the parked row counted");
    assertThat(relaying.discard(poison.position())).isTrue();
    assertThat(relaying.deadLetters(10)).isEmpty();
  }

  @Test
  void anEventTheBrokerRefusesForGoodIsParkedAndCanBeReplayedOnceItIsRoutable(
      EventBusFixture fixture) throws Exception {
    EventBus bus = consumingBus(fixture, true);
    Outbox outbox = outbox(bus, database.dataSource(), 1);
    StoredEvent refused;
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      refused = outbox.store(connection, new NobodyListens("no queue takes this type"));
      outbox.store(connection, new OrderPlaced("o-5", 1));
      connection.commit();
    }

    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
    List<OutboxDeadLetter> parked =
        Await.until(
            WAIT, () -> outbox.deadLetters(10), rows -> rows.size() == 1, "the refused row parked");
    assertThat(parked.get(0).eventId()).isEqualTo(refused.eventId());
    assertThat(parked.get(0).errorType()).isEqualTo("io.eventbus.UnroutableEventException");

    List<NobodyListens> late = new CopyOnWriteArrayList<>();
    bus.subscribe(
        SubscriptionOptions.named("late"),
        Handlers.builder().on(NobodyListens.class, (event, context) -> late.add(event)).build());
    assertThat(outbox.replay(parked.get(0).position())).isTrue();

    fixture.recorder().awaitHandled("late", NobodyListens.class, 1, WAIT);
    assertThat(late).containsExactly(new NobodyListens("no queue takes this type"));
    assertThat(outbox.deadLetters(10)).isEmpty();
  }

  @Test
  void whileTheDatabaseIsDownStoresFailWithATypedExceptionAndTheRelayResumesWithNothingLost(
      EventBusFixture fixture) throws Exception {
    EventBus bus = consumingBus(fixture);
    try (ConnectionCutter cutter = ConnectionCutter.start("127.0.0.1", 5432)) {
      DataSource proxied = database.dataSourceVia(cutter.port());
      Outbox relaying = outbox(bus, proxied, 1);
      Outbox direct = outbox(bus, database.dataSource(), 0);
      try (Connection connection = proxied.getConnection()) {
        connection.setAutoCommit(false);
        cutter.refuseNewConnections();
        cutter.cutAll();

        assertThatThrownBy(() -> relaying.store(connection, new OrderPlaced("o-6", 0)))
            .isInstanceOfSatisfying(
                OutboxStoreException.class,
                e -> {
                  assertThat(e.sqlState()).startsWith("08");
                  assertThat(e.eventType()).isEqualTo("test.jdbc.order-placed.v1");
                });
      }
      // Rows committed by another instance while this relay cannot reach the database wait.
      try (Connection connection = database.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        for (int i = 1; i <= 10; i++) {
          direct.store(connection, new OrderPlaced("o-6", i));
        }
        connection.commit();
      }
      Health.Component down =
          Await.until(
              WAIT,
              relaying::health,
              component -> component.detail().contains("cannot be read"),
              "the outbox DOWN for the unreachable database");
      assertThat(down.status()).isEqualTo(Health.Status.DOWN);
      assertThat(relaying.status().lastError()).isNotNull();
      assertThat(handled).isEmpty();

      cutter.acceptNewConnections();

      fixture.recorder().awaitHandled(OrderPlaced.class, 10, WAIT);
      assertThat(handled)
          .extracting(OrderPlaced::sequence)
          .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      Await.until(
          WAIT,
          relaying::health,
          component -> component.status() == Health.Status.UP,
          "the outbox UP");
    }
  }

  @Test
  void depthAgeAndLagAreGaugesAndTheOutboxIsPartOfTheBusHealth(EventBusFixture fixture)
      throws Exception {
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    try (OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build()) {
      EventBus bus = consumingBus(fixture);
      Outbox storing =
          closing(
              Outbox.builder(bus, database.dataSource())
                  .tables(tables)
                  .createSchema(true)
                  .relayThreads(0)
                  .sampleInterval(Duration.ofMillis(100))
                  .maxAge(Duration.ofMillis(500))
                  .openTelemetry(sdk)
                  .build());
      try (Connection connection = database.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        for (int i = 1; i <= 3; i++) {
          storing.store(connection, new OrderPlaced("o-7", i));
        }
        connection.commit();
      }

      Health health =
          Await.until(
              WAIT,
              bus::health,
              h ->
                  h.component("outbox")
                      .map(c -> c.detail().contains("oldest unsent"))
                      .orElse(false),
              "the bus DOWN for the waiting rows");
      assertThat(health.status()).isEqualTo(Health.Status.DOWN);
      assertThat(health.component("outbox").orElseThrow().details()).containsEntry("unsent", 3L);
      assertThat(gauge(metrics, "eventbus.outbox.depth")).isEqualTo(3);
      assertThat(gauge(metrics, "eventbus.outbox.oldest_unsent.age")).isGreaterThan(0.5);

      Outbox relaying =
          closing(
              Outbox.builder(bus, database.dataSource())
                  .tables(tables)
                  .sampleInterval(Duration.ofMillis(100))
                  .openTelemetry(sdk)
                  .build());
      fixture.recorder().awaitHandled(OrderPlaced.class, 3, WAIT);
      Await.until(WAIT, () -> relaying.status().relayed(), n -> n == 3, "the relay's count");
      assertThat(relaying.status().relayLag()).isGreaterThan(Duration.ofMillis(500));
      assertThat(gauge(metrics, "eventbus.outbox.relay.lag")).isGreaterThan(0.5);
      Await.until(
          WAIT,
          bus::health,
          h -> h.component("outbox").map(c -> c.status() == Health.Status.UP).orElse(false),
          "the bus UP again");
      storing.close();
      relaying.close();
      assertThat(bus.health().component("outbox")).isEmpty();
    }
  }

  @Test
  void aCommitWakesTheRelayThroughNotifyWithoutWaitingForThePoll(EventBusFixture fixture)
      throws Exception {
    EventBus bus = consumingBus(fixture);
    Outbox outbox =
        closing(
            Outbox.builder(bus, database.dataSource())
                .tables(tables)
                .createSchema(true)
                .pollInterval(Duration.ofHours(1))
                .build());
    Await.until(
        WAIT,
        () ->
            database.queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN \""
                    + tables.notifyChannel()
                    + "\"'"),
        listening -> listening == 1,
        "the relay listening");
    // Past the listener's catch-up wake-up and the workers' first look: only NOTIFY wakes them now.
    Await.until(
        WAIT,
        () -> outbox.health().status(),
        status -> status == Health.Status.UP,
        "the relay idle");

    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.store(connection, new OrderPlaced("o-8", 1));
      connection.commit();
    }

    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
  }

  @Test
  void withoutCommitNotificationsTheRelayPolls(EventBusFixture fixture) throws Exception {
    EventBus bus = consumingBus(fixture);
    Outbox outbox =
        closing(
            Outbox.builder(bus, database.dataSource())
                .tables(tables)
                .createSchema(true)
                .notifyOnCommit(false)
                .pollInterval(Duration.ofMillis(100))
                .build());

    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.store(connection, new OrderPlaced("o-9", 1));
      connection.commit();
    }

    fixture.recorder().awaitHandled(OrderPlaced.class, 1, WAIT);
    assertThat(
            database.queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN \""
                    + tables.notifyChannel()
                    + "%'"))
        .isZero();
  }

  @Test
  void sentRowsAreKeptForTheirRetentionOnlyOrDeletedAtOnceWithoutOne(EventBusFixture fixture)
      throws Exception {
    EventBus bus = consumingBus(fixture);
    JdbcTables deleting = database.tables(tables.prefix() + "z_");
    Outbox kept =
        closing(
            Outbox.builder(bus, database.dataSource())
                .tables(tables)
                .createSchema(true)
                .sentRetention(Duration.ofSeconds(1))
                .build());
    Outbox deletedAtOnce =
        closing(
            Outbox.builder(bus, database.dataSource())
                .tables(deleting)
                .createSchema(true)
                .sentRetention(Duration.ZERO)
                .build());

    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      kept.store(connection, new OrderPlaced("o-10", 1));
      deletedAtOnce.store(connection, new OrderPlaced("o-10", 2));
      connection.commit();
    }

    fixture.recorder().awaitHandled(OrderPlaced.class, 2, WAIT);
    Await.until(
        WAIT,
        () -> database.queryLong("SELECT count(*) FROM " + deleting.outbox()),
        rows -> rows == 0,
        "the row deleted as it was sent");
    Await.until(
        WAIT,
        () -> database.queryLong("SELECT count(*) FROM " + tables.outbox()),
        rows -> rows == 0,
        "the sent row deleted after its retention");
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closing.add(resource);
    return resource;
  }

  /** The value of a gauge with one point (the sum of all points for a counter). */
  private static double gauge(InMemoryMetricReader reader, String name) {
    MetricData metric =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No metric " + name));
    return switch (metric.getType()) {
      case LONG_GAUGE ->
          metric.getLongGaugeData().getPoints().stream().mapToLong(p -> p.getValue()).sum();
      case DOUBLE_GAUGE ->
          metric.getDoubleGaugeData().getPoints().stream()
              .mapToDouble(p -> p.getValue())
              .max()
              .orElseThrow();
      default -> throw new AssertionError(name + " is a " + metric.getType());
    };
  }
}
