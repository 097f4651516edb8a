package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.Outbox;
import io.eventbus.spi.ForwardingTransport;
import io.eventbus.spring.boot.EventBusCustomizer;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.TransportCustomizer;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * When the outbox and inbox are configured and how they fail, on the real PostgreSQL (a schema of
 * this class's own) with the in-memory transport.
 */
class EventBusJdbcAutoConfigurationIT {
  @RegisterExtension static final PostgresSchema schema = new PostgresSchema();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  EventBusAutoConfiguration.class,
                  EventBusJdbcAutoConfiguration.class,
                  DataSourceAutoConfiguration.class,
                  DataSourceTransactionManagerAutoConfiguration.class))
          .withPropertyValues(
              "eventbus.transport=in-memory",
              "eventbus.jdbc.create-schema=true",
              "spring.datasource.url=" + schema.url(),
              "spring.datasource.hikari.maximum-pool-size=4")
          .withBean(EventBusCustomizer.class, () -> builder -> builder.register(OrderPlaced.class));

  @Test
  void withoutADataSourceThereIsNoOutboxAndThePublisherIsTheBus() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                EventBusAutoConfiguration.class, EventBusJdbcAutoConfiguration.class))
        .withPropertyValues("eventbus.transport=in-memory")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(Outbox.class);
              assertThat(context).doesNotHaveBean(Inbox.class);
              assertThat(context.getBean(EventPublisher.class))
                  .isSameAs(context.getBean(EventBus.class));
            });
  }

  @Test
  void withADataSourceTheOutboxIsBuiltAndTheInboxOnlyWhenASubscriptionIsIdempotent() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Outbox.class);
          assertThat(context.getBean(EventPublisher.class))
              .isInstanceOf(TransactionalEventPublisher.class);
          assertThat(context.getBeanFactory().containsSingleton("eventBusInbox")).isFalse();
          assertThat(context.getBean(EventBus.class).health().components())
              .extracting(component -> component.name())
              .contains("outbox");
        });
    runner
        .withUserConfiguration(IdempotentHandlers.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeanFactory().containsSingleton("eventBusInbox")).isTrue();
            });
  }

  @Test
  void eachCanBeTurnedOff() {
    runner
        .withPropertyValues("eventbus.outbox.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(Outbox.class);
              assertThat(context.getBean(EventPublisher.class))
                  .isSameAs(context.getBean(EventBus.class));
            });
    runner
        .withPropertyValues("eventbus.inbox.enabled=false")
        .withUserConfiguration(IdempotentHandlers.class)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageStartingWith(
                        "@EventSubscription(\"orders-audit\") on bean 'audit' idempotent: an"
                            + " idempotent subscription needs the inbox")
                    .hasMessageContaining("eventbus.inbox.enabled"));
  }

  @Test
  void aSubscriptionIsMarkedIdempotentByPropertyToo() {
    runner
        .withPropertyValues("eventbus.subscriptions.orders-audit.idempotent=true")
        .withPropertyValues("eventbus.inbox.enabled=false")
        .withUserConfiguration(PlainHandlers.class)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageStartingWith(
                        "eventbus.subscriptions.orders-audit.idempotent: an idempotent"));
    runner
        .withPropertyValues("eventbus.subscriptions.orders-audit.idempotent=false")
        .withUserConfiguration(IdempotentHandlers.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeanFactory().containsSingleton("eventBusInbox"))
                  .as("the property overrides the annotation")
                  .isFalse();
            });
  }

  @Test
  void withRequireTransactionPublishingOutsideATransactionFails() {
    runner
        .withPropertyValues("eventbus.outbox.require-transaction=true")
        .run(
            context ->
                assertThatThrownBy(
                        () ->
                            context
                                .getBean(EventPublisher.class)
                                .publish(new OrderPlaced("o-1", 1)))
                    .isInstanceOf(EventBusException.class)
                    .hasMessageContaining("eventbus.outbox.require-transaction is true"));
  }

  @Test
  void aTransactionThatDoesNotCoverTheOutboxsDataSourceIsRefused() {
    runner.run(
        context -> {
          DriverManagerDataSource other = new DriverManagerDataSource(schema.url());
          TransactionTemplate elsewhere =
              new TransactionTemplate(new DataSourceTransactionManager(other));
          EventPublisher publisher = context.getBean(EventPublisher.class);

          assertThatThrownBy(
                  () ->
                      elsewhere.executeWithoutResult(
                          status -> publisher.publish(new OrderPlaced("o-2", 1))))
              .isInstanceOf(EventBusConfigurationException.class)
              .hasMessageContaining("does not manage the outbox's DataSource");
        });
  }

  @Test
  void aPublishInATransactionIsStoredAndAStoreFailureIsThrownNotReturned() {
    runner
        .withUserConfiguration(PlainHandlers.class) // a queue for the event, so it is routable
        .run(
            context -> {
              TransactionTemplate transaction =
                  new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
              EventPublisher publisher = context.getBean(EventPublisher.class);
              Outbox outbox = context.getBean(Outbox.class);
              long before = outbox.status().relayed();

              String id =
                  transaction.execute(
                      status ->
                          publisher
                              .publish(new OrderPlaced("o-3", 1))
                              .toCompletableFuture()
                              .join()
                              .eventId());
              assertThat(id).isNotBlank();
              Await.until(
                  Duration.ofSeconds(30),
                  () -> outbox.status().relayed() > before,
                  "the relay sent the stored event");

              assertThatThrownBy(
                      () ->
                          transaction.executeWithoutResult(
                              status -> publisher.publish(new Unregistered("x"))))
                  .isInstanceOf(UnknownEventTypeException.class);
            });
  }

  @Test
  void anInvalidSettingFailsTheStartNamingItsProperty() {
    runner
        .withPropertyValues("eventbus.outbox.relay-threads=99")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageStartingWith("eventbus.outbox.relay-threads: ")
                    .hasMessageContaining("between 0 and 32"));
    runner
        .withPropertyValues("eventbus.jdbc.table-prefix=Bad-Prefix")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageStartingWith("eventbus.jdbc.table-prefix: "));
  }

  @Test
  void theRelayStopsBeforeTheBusClosesItsTransport() {
    Set<Thread> before = relayThreads();
    List<Boolean> relayAliveAtTransportClose = new CopyOnWriteArrayList<>();
    List<Set<Thread>> started = new CopyOnWriteArrayList<>();
    runner
        .withBean(
            TransportCustomizer.class,
            () ->
                transport ->
                    new ForwardingTransport(transport) {
                      @Override
                      public void close() {
                        relayAliveAtTransportClose.add(
                            started.stream().flatMap(Set::stream).anyMatch(Thread::isAlive));
                        super.close();
                      }
                    })
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Outbox.class);
              Set<Thread> ours = relayThreads();
              ours.removeAll(before);
              assertThat(ours).as("the outbox's relay threads").isNotEmpty();
              started.add(ours);
            });
    assertThat(relayAliveAtTransportClose).containsExactly(false);
  }

  /** The threads of outbox relays in this JVM: its workers and its LISTEN thread. */
  private static Set<Thread> relayThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            thread ->
                thread.getName().startsWith("eventbus-outbox-relay-")
                    || thread.getName().equals("eventbus-outbox-listener"))
        .collect(Collectors.toSet());
  }

  record Unregistered(String value) {}

  @Configuration(proxyBeanMethods = false)
  @RecordEvents
  static class IdempotentHandlers {
    @Bean
    Audit audit() {
      return new Audit();
    }

    @EventSubscription(value = "orders-audit", idempotent = true)
    static class Audit {
      @EventHandler
      void on(OrderPlaced order) {}
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PlainHandlers {
    @Bean
    Audit audit() {
      return new Audit();
    }

    @EventSubscription("orders-audit")
    static class Audit {
      @EventHandler
      void on(OrderPlaced order) {}
    }
  }
}
