package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.Outbox;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.SubscriptionCustomizer;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.RecordedDelivery;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The outbox and the inbox in a real Spring Boot application, on the real PostgreSQL (a schema of
 * this class's own) and the broker: an event published in a {@code Transactional} method is
 * published once if the transaction commits and never if it rolls back; an idempotent
 * subscription's handler runs once per event however often it is delivered, and its {@code
 * JdbcTemplate} writes and publishes commit or roll back with the inbox record.
 */
@EventBusTest(transport = TransportKind.BROKER)
class TransactionalOutboxIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension static final PostgresSchema schema = new PostgresSchema();

  private static final String SCOPE =
      "spring-outbox-" + UUID.randomUUID().toString().substring(0, 8);
  private static @Nullable BrokerLeftovers leftovers;
  private static @Nullable ConfigurableApplicationContext context;

  @BeforeAll
  static void start(Broker broker) {
    leftovers =
        new BrokerLeftovers(broker.uri(), SCOPE)
            .subscription(
                SCOPE + ".shipping",
                Ordering.NONE,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1))
            .subscription(
                SCOPE + ".warehouse",
                Ordering.NONE,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1));
    context =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "spring.main.web-application-type=none",
                "spring.application.name=" + SCOPE,
                "it.scope=" + SCOPE,
                "spring.datasource.url=" + schema.url(),
                "eventbus.jdbc.schema=" + schema.name(),
                "eventbus.jdbc.create-schema=true",
                "eventbus.outbox.poll-interval=200ms",
                "eventbus.rabbitmq.uri=" + broker.uri(),
                "eventbus.rabbitmq.exchange=" + SCOPE,
                "eventbus.rabbitmq.shutdown-timeout=10s",
                "eventbus.subscriptions[" + SCOPE + ".shipping].retry.initial-backoff=10ms")
            .run();
    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
    jdbc.execute("CREATE TABLE orders (order_id text PRIMARY KEY, items int NOT NULL)");
    jdbc.execute("CREATE TABLE shipments (order_id text NOT NULL, attempt int NOT NULL)");
  }

  @AfterAll
  static void stop() throws Exception {
    if (context != null) {
      context.close();
    }
    if (leftovers != null) {
      leftovers.delete();
    }
  }

  private static <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  private static long count(String sql, Object... arguments) {
    Long found = bean(JdbcTemplate.class).queryForObject(sql, Long.class, arguments);
    return found == null ? 0 : found;
  }

  /** Outbox rows of {@code type} whose body's orderId is {@code orderId}. */
  private static long stored(String type, String orderId) {
    return count(
        "SELECT count(*) FROM "
            + schema.name()
            + ".eventbus_outbox WHERE event_type = ? AND"
            + " convert_from(body, 'UTF8')::jsonb ->> 'orderId' = ?",
        type,
        orderId);
  }

  private static String newOrderId() {
    return "o-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void anEventPublishedInACommittedTransactionIsStoredThenPublishedAndHandledOnce() {
    String orderId = newOrderId();

    PublishReceipt receipt = bean(OrderService.class).place(orderId, 2);

    Await.until(
        TIMEOUT,
        () -> bean(Warehouse.class).requested.getOrDefault(orderId, new AtomicInteger()).get(),
        n -> n == 1,
        "the shipment request for " + orderId);
    assertThat(stored("spring-test.order.placed.v1", orderId)).isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM "
                    + schema.name()
                    + ".eventbus_outbox WHERE event_id = ? AND sent_at IS NOT NULL",
                receipt.eventId()))
        .as("sent by the relay, with the id the receipt named")
        .isEqualTo(1);
    assertThat(bean(HandlerRuns.class).runs(orderId)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM shipments WHERE order_id = ?", orderId)).isEqualTo(1);
    assertThat(stored("spring-test.shipment.requested.v1", orderId))
        .as("the handler's publish went through the outbox in the inbox's transaction")
        .isEqualTo(1);
  }

  @Test
  void anEventPublishedInARolledBackTransactionIsNeverPublished() {
    String orderId = newOrderId();
    String committedId = bean(OrderService.class).place(orderId, 1).eventId();

    assertThatThrownBy(() -> bean(OrderService.class).place(orderId, 5))
        .isInstanceOf(DuplicateKeyException.class);

    bean(EventRecorder.class)
        .awaitDeliveries(
            delivery ->
                delivery.subscription().equals(SCOPE + ".shipping")
                    && delivery.outcome() == RecordedDelivery.Outcome.HANDLED
                    && committedId.equals(delivery.eventId()),
            "the committed order handled",
            1,
            TIMEOUT);
    assertThat(count("SELECT items FROM orders WHERE order_id = ?", orderId)).isEqualTo(1);
    assertThat(stored("spring-test.order.placed.v1", orderId))
        .as("only the committed transaction's event is in the outbox")
        .isEqualTo(1);
    assertThat(bean(EventRecorder.class).published(OrderPlaced.class))
        .filteredOn(order -> order.orderId().equals(orderId))
        .containsExactly(new OrderPlaced(orderId, 1));
    assertThat(bean(HandlerRuns.class).runs(orderId)).isEqualTo(1);
  }

  @Test
  void aDuplicateDeliveryIsHandledOnce() {
    String orderId = newOrderId();
    PublishOptions sameId = PublishOptions.none().withId("placed-" + orderId);
    EventBus bus = bean(EventBus.class);

    bus.publish(new OrderPlaced(orderId, 1), sameId).toCompletableFuture().join();
    bus.publish(new OrderPlaced(orderId, 1), sameId).toCompletableFuture().join();

    bean(EventRecorder.class)
        .awaitDeliveries(
            delivery ->
                delivery.subscription().equals(SCOPE + ".shipping")
                    && ("placed-" + orderId).equals(delivery.eventId())
                    && delivery.outcome() == RecordedDelivery.Outcome.HANDLED,
            "both copies of placed-" + orderId + " settled",
            2,
            TIMEOUT);
    assertThat(bean(HandlerRuns.class).runs(orderId)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM shipments WHERE order_id = ?", orderId)).isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM "
                    + schema.name()
                    + ".eventbus_inbox WHERE subscription = ? AND event_id = ?",
                SCOPE + ".shipping",
                "placed-" + orderId))
        .isEqualTo(1);
    assertThat(stored("spring-test.shipment.requested.v1", orderId)).isEqualTo(1);
  }

  @Test
  void aFailedAttemptRollsBackTheHandlersJdbcWritesAndPublishesWithItsInboxRecord() {
    String orderId = newOrderId();
    bean(HandlerRuns.class).failFirstAttempt.add(orderId);

    bean(OrderService.class).place(orderId, 3);

    Await.until(
        TIMEOUT,
        () -> bean(Warehouse.class).requested.getOrDefault(orderId, new AtomicInteger()).get(),
        n -> n == 1,
        "the shipment request for " + orderId);
    assertThat(bean(HandlerRuns.class).runs(orderId)).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM shipments WHERE order_id = ?", orderId)).isEqualTo(1);
    assertThat(count("SELECT max(attempt) FROM shipments WHERE order_id = ?", orderId))
        .isEqualTo(2);
    assertThat(stored("spring-test.shipment.requested.v1", orderId))
        .as("the first attempt's publish rolled back with it")
        .isEqualTo(1);
  }

  @Test
  void outsideATransactionTheInjectedPublisherPublishesDirectly() {
    String orderId = newOrderId();
    EventPublisher publisher = bean(EventPublisher.class);

    String eventId = publisher.publishAndWait(new OrderPlaced(orderId, 1)).eventId();

    bean(EventRecorder.class)
        .awaitDeliveries(
            delivery ->
                delivery.subscription().equals(SCOPE + ".shipping")
                    && delivery.outcome() == RecordedDelivery.Outcome.HANDLED
                    && eventId.equals(delivery.eventId()),
            "the order handled",
            1,
            TIMEOUT);
    assertThat(publisher).isInstanceOf(TransactionalEventPublisher.class);
    assertThat(stored("spring-test.order.placed.v1", orderId)).isZero();
    assertThat(context.getBeansOfType(Outbox.class)).hasSize(1);
    assertThat(context.getBeansOfType(Inbox.class)).hasSize(1);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @RecordEvents
  @Import({OrderService.class, ShipmentHandlers.class, Warehouse.class, HandlerRuns.class})
  static class Application {}

  /**
   * A middleware of the shipping subscription, inside the inbox's transaction (a customizer's
   * middleware goes inside the inbox's): counts the handler's runs by order, and fails the first
   * attempt of the orders marked, after the handler's writes.
   */
  static class HandlerRuns implements SubscriptionCustomizer {
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Set<String> failFirstAttempt = ConcurrentHashMap.newKeySet();

    @Override
    public void customize(String name, SubscriptionOptions.Builder options) {
      if (!name.endsWith(".shipping")) {
        return;
      }
      options.middleware(
          (delivery, chain) -> {
            String orderId = ((OrderPlaced) delivery.event()).orderId();
            runs.computeIfAbsent(orderId, id -> new AtomicInteger()).incrementAndGet();
            chain.proceed(delivery);
            if (delivery.attempt() == 1 && failFirstAttempt.contains(orderId)) {
              throw new IllegalStateException("the first attempt fails after its writes");
            }
          });
    }

    int runs(String orderId) {
      return runs.getOrDefault(orderId, new AtomicInteger()).get();
    }
  }

  /** A plain subscription downstream, counting shipment requests by order. */
  @EventSubscription("${it.scope}.warehouse")
  static class Warehouse {
    final Map<String, AtomicInteger> requested = new ConcurrentHashMap<>();

    @EventHandler
    void on(ShipmentRequested request) {
      requested.computeIfAbsent(request.orderId(), id -> new AtomicInteger()).incrementAndGet();
    }
  }
}
