package io.eventbus.spring.boot.autoconfigure;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.EventTooLargeException;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter in a real {@link SpringApplication} against the broker: properties reach the
 * transport and the subscription, handler beans are subscribed after every singleton exists, and
 * closing the context finishes the handlers in flight before anything they use is destroyed, losing
 * no confirmed event.
 */
@EventBusTest(transport = TransportKind.BROKER)
class StarterIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Broker broker;
  private final String scope = "spring-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final BrokerLeftovers leftovers;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  StarterIT(Broker broker) {
    this.broker = broker;
    this.leftovers =
        new BrokerLeftovers(broker.uri(), scope)
            .subscription(
                scope + ".shipping",
                Ordering.NONE,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1));
  }

  @AfterEach
  void closeAndDelete() throws Exception {
    contexts.forEach(ConfigurableApplicationContext::close);
    leftovers.delete();
  }

  @Test
  void bindsItsPropertiesAndHandlesWhatItPublishesThroughTheBroker() throws Exception {
    ConfigurableApplicationContext context =
        start(
            "eventbus.subscriptions[" + scope + ".shipping].concurrency=3",
            "eventbus.subscriptions[" + scope + ".shipping].prefetch=5");

    EventPublisher publisher = context.getBean(EventPublisher.class);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(publisher.publishAndWait(new OrderPlaced("o-" + i, 1)).eventId());
    }

    EventRecorder recorder = context.getBean(EventRecorder.class);
    assertThat(recorder.awaitHandled(scope + ".shipping", OrderPlaced.class, 20, TIMEOUT))
        .hasSize(20);
    assertThat(context.getBean(Journal.class).handledIds).containsExactlyInAnyOrderElementsOf(ids);
    try (Connection admin = leftovers.connect();
        Channel channel = admin.createChannel()) {
      channel.exchangeDeclarePassive(scope);
      assertThat(channel.queueDeclarePassive(scope + ".shipping").getConsumerCount())
          .as("one consumer per unit of concurrency, from eventbus.subscriptions.*.concurrency")
          .isEqualTo(3);
    }
  }

  @Test
  void subscribesOnlyOnceEverySingletonExistsAndStopsHandlersBeforeDestroyingTheirBeans() {
    start().close(); // declares the queue
    // Events wait in the queue before the next context starts, so its consumers get them at once.
    ConfigurableApplicationContext publisherOnly = start("it.handlers=false");
    for (int i = 0; i < 10; i++) {
      publisherOnly.getBean(EventPublisher.class).publishAndWait(new OrderPlaced("early-" + i, 1));
    }
    publisherOnly.close();

    ConfigurableApplicationContext context =
        start(
            "eventbus.subscriptions[" + scope + ".shipping].concurrency=2", "it.handler-millis=20");
    Journal journal = context.getBean(Journal.class);
    Await.until(TIMEOUT, () -> journal.finished.get() >= 3, "three handled");
    context.close();

    List<String> entries = journal.entries;
    int ready = entries.indexOf("singletons-ready");
    assertThat(ready).as("SmartInitializingSingleton ran").isGreaterThanOrEqualTo(0);
    assertThat(entries.subList(0, ready))
        .as("no handler runs before every singleton exists")
        .noneMatch(entry -> entry.startsWith("handler"));
    int destroyed = entries.indexOf("dependency-destroyed");
    assertThat(destroyed).as("the handlers' dependency was destroyed").isPositive();
    assertThat(entries.subList(destroyed, entries.size()))
        .as("no handler runs after what it uses is destroyed")
        .noneMatch(entry -> entry.startsWith("handler"));
    assertThat(journal.started.get()).isEqualTo(journal.finished.get());
  }

  @Test
  void closingWithHandlersInFlightFinishesThemAndLosesNoConfirmedEvent() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ConfigurableApplicationContext context =
        start(
            ledger,
            "eventbus.subscriptions[" + scope + ".shipping].concurrency=4",
            "it.handler-millis=40");
    String subscription = scope + ".shipping";

    List<Object> orders = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      orders.add(new OrderPlaced("o-" + i, 1));
    }
    for (PublishReceipt receipt :
        context.getBean(EventPublisher.class).publishAll(orders).toCompletableFuture().join()) {
      ledger.recordConfirmed(receipt.eventId());
    }
    Journal journal = context.getBean(Journal.class);
    Await.until(TIMEOUT, () -> journal.finished.get() >= 20, "twenty handled");
    assertThat(journal.started.get() - journal.finished.get())
        .as("handlers in flight when the context closes")
        .isPositive();

    context.close();

    assertThat(journal.started.get())
        .as("every handler that started finished before the context was closed")
        .isEqualTo(journal.finished.get());
    assertThat(journal.finished.get()).as("the rest stayed in the queue").isLessThan(300);

    start(ledger, "eventbus.subscriptions[" + scope + ".shipping].concurrency=4");
    assertThat(ledger).within(TIMEOUT).lostNothing(subscription);
  }

  @Test
  void enforcesTheSizeLimitsOfItsPropertiesOnPublishingAndOnConsuming() {
    ConfigurableApplicationContext context =
        start(
            "eventbus.rabbitmq.publisher.max-message-bytes=4KB",
            "eventbus.rabbitmq.max-inbound-message-bytes=1KB");
    EventPublisher publisher = context.getBean(EventPublisher.class);

    assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("x".repeat(5000), 1)))
        .isInstanceOf(EventTooLargeException.class);

    // Under the publisher's limit, over the consumer's: parked without being handled.
    String id = publisher.publishAndWait(new OrderPlaced("y".repeat(2000), 1)).eventId();
    RabbitDeadLetters parked =
        context.getBean(RabbitTransport.class).deadLetters(scope + ".shipping");
    List<ParkedEvent> tooLarge =
        Await.until(
            TIMEOUT,
            () -> parked.peek(10),
            events -> !events.isEmpty(),
            "the large event parked in the dead-letter queue");
    assertThat(tooLarge)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.eventId()).isEqualTo(id);
              assertThat(event.reason()).isEqualTo("too-large");
            });
    assertThat(context.getBean(Journal.class).handledIds).doesNotContain(id);
  }

  private ConfigurableApplicationContext start(String... properties) {
    return start(DeliveryLedger.create(), properties);
  }

  private ConfigurableApplicationContext start(DeliveryLedger ledger, String... properties) {
    List<String> all = new ArrayList<>(List.of(properties));
    all.add("spring.main.web-application-type=none");
    all.add("spring.application.name=" + scope);
    all.add("it.scope=" + scope);
    all.add("eventbus.rabbitmq.uri=" + broker.uri());
    all.add("eventbus.rabbitmq.exchange=" + scope);
    all.add("eventbus.rabbitmq.shutdown-timeout=10s");
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(Application.class)
            .properties(all.toArray(String[]::new))
            .initializers(created -> created.getBeanFactory().registerSingleton("ledger", ledger))
            .run();
    contexts.add(context);
    return context;
  }

  @Configuration(proxyBeanMethods = false)
  // No database here; the test class path has one's auto-configuration for the outbox tests.
  @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
  @RecordEvents
  static class Application {
    @Bean
    Journal journal(ObjectProvider<DeliveryLedger> ledger) {
      Journal journal = new Journal();
      journal.ledger = ledger.getIfAvailable(DeliveryLedger::create);
      return journal;
    }

    @Bean
    Dependency dependency(Journal journal) {
      return new Dependency(journal);
    }

    @Bean
    @ConditionalOnProperty(name = "it.handlers", havingValue = "true", matchIfMissing = true)
    ShippingHandlers shippingHandlers(
        Dependency dependency,
        Journal journal,
        org.springframework.core.env.Environment environment) {
      return new ShippingHandlers(
          dependency,
          journal,
          environment.getProperty("it.handler-millis", Long.class, 0L),
          environment.getProperty("it.scope") + ".shipping");
    }
  }

  /** What happened, in order. */
  static final class Journal implements SmartInitializingSingleton {
    final List<String> entries = new CopyOnWriteArrayList<>();
    final List<String> handledIds = new CopyOnWriteArrayList<>();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    volatile DeliveryLedger ledger;

    @Override
    public void afterSingletonsInstantiated() {
      entries.add("singletons-ready");
    }
  }

  /** Something a handler uses, destroyed with the context. */
  static final class Dependency {
    private final Journal journal;
    private volatile boolean destroyed;

    Dependency(Journal journal) {
      this.journal = journal;
    }

    void use() {
      if (destroyed) {
        throw new IllegalStateException("used after it was destroyed");
      }
    }

    @PreDestroy
    void destroy() {
      destroyed = true;
      journal.entries.add("dependency-destroyed");
    }
  }

  @EventSubscription("${it.scope}.shipping")
  static final class ShippingHandlers {
    private final Dependency dependency;
    private final Journal journal;
    private final long workMillis;
    private final String subscription;

    ShippingHandlers(Dependency dependency, Journal journal, long workMillis, String subscription) {
      this.dependency = dependency;
      this.journal = journal;
      this.workMillis = workMillis;
      this.subscription = subscription;
    }

    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      journal.started.incrementAndGet();
      journal.entries.add("handler-start " + order.orderId());
      dependency.use();
      if (workMillis > 0) {
        // Simulated work, so that several handlers are in flight when the context closes.
        LockSupport.parkNanos(Duration.ofMillis(workMillis).toNanos());
      }
      dependency.use();
      journal.handledIds.add(context.metadata().id());
      journal.ledger.recordHandled(subscription, context.metadata().id());
      journal.entries.add("handler-end " + order.orderId());
      journal.finished.incrementAndGet();
    }
  }
}
