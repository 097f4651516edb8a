package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.jdbc.TestEvents.OrderPlaced;
import io.eventbus.spi.ForwardingTransport;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.Transport;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.RecordedDelivery;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox's failure semantics with a real RabbitMQ: a broker outage while the application
 * commits, a relay that dies between the broker's confirm and its mark, several relays sharing one
 * table. Faults on the broker side go through a {@link ConnectionCutter}, never to the broker.
 */
@EventBusTest(transport = TransportKind.BROKER)
class OutboxBrokerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension static final TestDatabase database = TestDatabase.create();

  private static final AtomicInteger tests = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final JdbcTables tables = database.tables("obb" + tests.incrementAndGet() + "_");
  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private final List<OrderPlaced> handled = new CopyOnWriteArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closing.add(resource);
    return resource;
  }

  /** A consuming service: one ordered subscription behind the inbox, on a connection of its own. */
  private void consumer(EventBusFixture fixture, Inbox inbox) {
    closing(
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .ordering(SubscriptionOptions.Ordering.ORDERED)
                    .middleware(inbox.middleware())
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced event, EventContext context) -> {
                          runs.incrementAndGet();
                          handled.add(event);
                        })
                    .build())
            .build());
  }

  private Inbox inbox() {
    return closing(Inbox.builder(database.dataSource()).tables(tables).createSchema(true).build());
  }

  private Outbox.Builder outbox(EventBus bus, DataSource dataSource) {
    return Outbox.builder(bus, dataSource)
        .tables(tables)
        .createSchema(true)
        .sampleInterval(Duration.ofMillis(200));
  }

  private void storeInOwnTransactions(Outbox outbox, String key, int from, int to)
      throws Exception {
    for (int i = from; i <= to; i++) {
      try (Connection connection = database.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        outbox.store(connection, new OrderPlaced(key, i));
        connection.commit();
      }
    }
  }

  @Test
  void whileTheBrokerIsDownCommitsSucceedAndTheRowsGoOutInOrderWhenItReturns(
      EventBusFixture fixture) throws Exception {
    consumer(fixture, inbox());
    URI broker = URI.create(fixture.broker().uri());
    try (ConnectionCutter cutter = ConnectionCutter.start(broker.getHost(), broker.getPort())) {
      Transport cut =
          fixture.transport(
              cutter.proxiedUri(fixture.broker().uri()),
              builder -> builder.publishTimeout(Duration.ofSeconds(2)));
      EventBus application =
          closing(EventBus.builder().transport(cut).register(OrderPlaced.class).build());
      Outbox outbox = closing(outbox(application, database.dataSource()).build());
      storeInOwnTransactions(outbox, "o-1", 1, 5);
      Await.until(TIMEOUT, handled::size, n -> n == 5, "the first rows handled");

      cutter.refuseNewConnections();
      cutter.cutAll();
      storeInOwnTransactions(outbox, "o-1", 6, 30);
      OutboxStatus waiting =
          Await.until(TIMEOUT, outbox::status, status -> status.unsent() == 25, "25 rows waiting");
      assertThat(waiting.relayed()).isEqualTo(5);
      assertThat(handled).hasSize(5);

      cutter.acceptNewConnections();

      Await.until(TIMEOUT, handled::size, n -> n == 30, "every row handled");
      assertThat(handled).extracting(OrderPlaced::sequence).containsExactly(range(1, 30));
      Await.until(TIMEOUT, outbox::status, status -> status.unsent() == 0, "nothing waiting");
    }
  }

  @Test
  void aRelayThatDiesAfterTheConfirmAndBeforeItsMarkSendsAgainAndTheInboxHandlesItOnce(
      EventBusFixture fixture) throws Exception {
    consumer(fixture, inbox());
    try (ConnectionCutter database5432 = ConnectionCutter.start("127.0.0.1", 5432)) {
      AtomicBoolean cutOnce = new AtomicBoolean();
      // The relay's database connections die the moment the broker has confirmed: its mark and
      // commit fail, as if the relay process had been killed right there.
      Transport dyingAfterConfirm =
          new ForwardingTransport(fixture.transport()) {
            @Override
            public CompletionStage<Void> send(OutboundMessage message) {
              return super.send(message)
                  .thenRun(
                      () -> {
                        if (cutOnce.compareAndSet(false, true)) {
                          database5432.cutAll();
                        }
                      });
            }
          };
      EventBus relayBus = closing(EventBus.builder().transport(dyingAfterConfirm).build());
      Outbox relaying =
          closing(outbox(relayBus, database.dataSourceVia(database5432.port())).build());
      EventBus application = closing(fixture.busBuilder().register(OrderPlaced.class).build());
      Outbox storing = closing(outbox(application, database.dataSource()).relayThreads(0).build());

      storeInOwnTransactions(storing, "o-2", 1, 1);

      List<RecordedDelivery> deliveries =
          fixture
              .recorder()
              .awaitDeliveries(d -> d.subscription().equals("shipping"), "deliveries", 2, WAIT);
      assertThat(deliveries)
          .extracting(RecordedDelivery::eventId)
          .containsOnly(deliveries.get(0).eventId());
      Await.until(
          TIMEOUT, relaying::status, status -> status.relayed() == 1, "the row marked sent");
      assertThat(cutOnce).isTrue();
      assertThat(runs).hasValue(1);
      assertThat(handled).containsExactly(new OrderPlaced("o-2", 1));
    }
  }

  @Test
  void severalRelaysShareTheWorkWithoutDuplicatesAndKeepEachKeysOrder(EventBusFixture fixture)
      throws Exception {
    Map<String, List<Integer>> byKey = new HashMap<>();
    List<String> ids = new CopyOnWriteArrayList<>();
    closing(
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .ordering(SubscriptionOptions.Ordering.PARTITIONED)
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (OrderPlaced event, EventContext context) -> {
                          synchronized (byKey) {
                            byKey
                                .computeIfAbsent(event.orderId(), k -> new ArrayList<>())
                                .add(event.sequence());
                          }
                          ids.add(context.metadata().id());
                        })
                    .build())
            .build());
    List<Outbox> relays = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      EventBus bus = closing(fixture.busBuilder().build());
      relays.add(closing(outbox(bus, database.dataSource()).relayThreads(2).batchSize(50).build()));
    }
    EventBus application = closing(fixture.busBuilder().register(OrderPlaced.class).build());
    Outbox storing = closing(outbox(application, database.dataSource()).relayThreads(0).build());

    int keys = 8;
    int perKey = 100;
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writing = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        String key = "o-" + k;
        writing.add(
            writers.submit(
                () -> {
                  storeInOwnTransactions(storing, key, 1, perKey);
                  return null;
                }));
      }
      for (Future<?> write : writing) {
        write.get();
      }
    } finally {
      writers.shutdownNow();
    }

    Await.until(TIMEOUT, ids::size, n -> n >= keys * perKey, "every event handled");
    Await.until(
        TIMEOUT,
        () -> relays.stream().mapToLong(relay -> relay.status().relayed()).sum(),
        sum -> sum == keys * perKey,
        "every row marked");
    assertThat(ids).doesNotHaveDuplicates().hasSize(keys * perKey);
    assertThat(relays).allSatisfy(relay -> assertThat(relay.status().relayed()).isPositive());
    synchronized (byKey) {
      assertThat(byKey).hasSize(keys);
      byKey.forEach(
          (key, sequence) -> assertThat(sequence).as(key).containsExactly(range(1, perKey)));
    }
  }

  private static Integer[] range(int from, int to) {
    Integer[] values = new Integer[to - from + 1];
    for (int i = from; i <= to; i++) {
      values[i - from] = i;
    }
    return values;
  }
}
