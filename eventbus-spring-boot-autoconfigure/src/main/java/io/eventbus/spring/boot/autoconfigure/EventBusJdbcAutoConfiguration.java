package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import io.eventbus.EventPublisher;
import io.eventbus.jdbc.Inbox;
import io.eventbus.jdbc.JdbcTables;
import io.eventbus.jdbc.Outbox;
import io.eventbus.middleware.Middleware;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.SQLException;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Auto-configures eventbus-jdbc's transactional outbox and idempotent inbox on the application's
 * {@link DataSource}, in Spring-managed transactions, when eventbus-jdbc and spring-jdbc are on the
 * class path and the context has one {@code DataSource} and an {@link EventBus}.
 *
 * <ul>
 *   <li>An {@link Outbox} ({@code eventbus.outbox.*}, {@code eventbus.jdbc.*}) and a primary {@link
 *       EventPublisher} ({@link TransactionalEventPublisher}): inside a {@code Transactional}
 *       method, injected {@code EventPublisher}s store events in the outbox in that transaction;
 *       outside one they publish directly. Injecting {@code EventBus} always publishes directly.
 *   <li>An {@link Inbox} ({@code eventbus.inbox.*}), created lazily when the first idempotent
 *       subscription starts, whose transactions are Spring's ({@link SpringInboxTransactions}).
 * </ul>
 *
 * Both back off for the application's own {@code Outbox} or {@code Inbox} bean; {@code
 * eventbus.outbox.enabled=false} or {@code eventbus.inbox.enabled=false} turn each off.
 *
 * <h2>Lifecycle</h2>
 *
 * The outbox checks its tables (creating them with {@code eventbus.jdbc.create-schema=true}) and
 * starts its relay when its bean is created, during the context's refresh; the eventbus {@code
 * SmartLifecycle} stops the relay after the subscriptions and before the bus closes. The inbox
 * closes with the context, after the bus.
 */
@AutoConfiguration(
    after = EventBusAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
    })
@ConditionalOnClass({Outbox.class, DataSourceUtils.class})
@ConditionalOnBean(EventBus.class)
@ConditionalOnSingleCandidate(DataSource.class)
@Import({
  EventBusJdbcAutoConfiguration.OutboxConfiguration.class,
  EventBusJdbcAutoConfiguration.InboxConfiguration.class
})
public final class EventBusJdbcAutoConfiguration {

  @Bean
  JdbcMessaging eventBusJdbcMessaging(ObjectProvider<Outbox> outbox, ObjectProvider<Inbox> inbox) {
    return new JdbcMessaging() {
      @Override
      public @Nullable Middleware inboxMiddleware() {
        Inbox created = inbox.getIfAvailable();
        return created == null ? null : created.middleware();
      }

      @Override
      public void stopOutbox() {
        outbox.ifAvailable(Outbox::close);
      }
    };
  }

  static JdbcTables tables(EventBusProperties.Jdbc jdbc) {
    JdbcTables[] tables = {JdbcTables.defaults()};
    if (jdbc.schema() != null) {
      Settings.apply("eventbus.jdbc.schema", () -> tables[0] = tables[0].withSchema(jdbc.schema()));
    }
    if (jdbc.tablePrefix() != null) {
      Settings.apply(
          "eventbus.jdbc.table-prefix", () -> tables[0] = tables[0].withPrefix(jdbc.tablePrefix()));
    }
    return tables[0];
  }

  private static <T> void ifSet(@Nullable T value, Consumer<T> apply) {
    if (value != null) {
      apply.accept(value);
    }
  }

  /** The outbox, and the publisher that stores through it in transactions. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "eventbus.outbox.enabled", matchIfMissing = true)
  static class OutboxConfiguration {
    @Bean
    @ConditionalOnMissingBean
    Outbox eventBusOutbox(
        EventBus eventBus,
        DataSource dataSource,
        EventBusProperties properties,
        ObjectProvider<OpenTelemetry> openTelemetry) {
      EventBusProperties.Outbox settings = properties.outbox();
      Outbox.Builder builder =
          Outbox.builder(eventBus, dataSource)
              .tables(tables(properties.jdbc()))
              .createSchema(properties.jdbc().createSchema());
      ifSet(settings.relayThreads(), builder::relayThreads);
      ifSet(settings.batchSize(), builder::batchSize);
      ifSet(settings.pollInterval(), builder::pollInterval);
      ifSet(settings.notifyOnCommit(), builder::notifyOnCommit);
      ifSet(settings.sentRetention(), builder::sentRetention);
      ifSet(settings.confirmTimeout(), builder::confirmTimeout);
      ifSet(settings.maxAge(), builder::maxAge);
      ifSet(settings.stallTimeout(), builder::stallTimeout);
      ifSet(settings.sampleInterval(), builder::sampleInterval);
      openTelemetry.ifUnique(builder::openTelemetry);
      return Settings.build(builder::build, setting -> "eventbus.outbox." + kebab(setting));
    }

    @Bean
    @Primary
    @ConditionalOnMissingBean(TransactionalEventPublisher.class)
    TransactionalEventPublisher transactionalEventPublisher(
        EventBus eventBus, Outbox outbox, DataSource dataSource, EventBusProperties properties) {
      return new TransactionalEventPublisher(
          eventBus, outbox, dataSource, properties.outbox().requireTransaction());
    }
  }

  /** The inbox of idempotent subscriptions, in Spring's transactions. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "eventbus.inbox.enabled", matchIfMissing = true)
  static class InboxConfiguration {
    /** Lazy: only an application with an idempotent subscription needs the inbox table. */
    @Bean
    @Lazy
    @ConditionalOnMissingBean
    Inbox eventBusInbox(
        DataSource dataSource,
        ObjectProvider<PlatformTransactionManager> transactionManager,
        EventBusProperties properties,
        ObjectProvider<OpenTelemetry> openTelemetry)
        throws SQLException {
      SpringInboxTransactions transactions =
          new SpringInboxTransactions(
              transactionManager.getIfUnique(() -> new DataSourceTransactionManager(dataSource)),
              dataSource);
      transactions.check();
      EventBusProperties.Inbox settings = properties.inbox();
      Inbox.Builder builder =
          Inbox.builder(dataSource)
              .tables(tables(properties.jdbc()))
              .createSchema(properties.jdbc().createSchema())
              .transactions(transactions);
      ifSet(settings.retention(), builder::retention);
      ifSet(settings.cleanupInterval(), builder::cleanupInterval);
      openTelemetry.ifUnique(builder::openTelemetry);
      return Settings.build(builder::build, setting -> "eventbus.inbox." + kebab(setting));
    }
  }

  /** {@code relayThreads} as its property spells it: {@code relay-threads}. */
  static String kebab(String setting) {
    return setting.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
