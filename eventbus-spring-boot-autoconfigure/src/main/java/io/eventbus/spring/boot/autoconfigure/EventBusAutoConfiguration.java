package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.Transport;
import io.eventbus.spring.boot.EventBusCustomizer;
import io.eventbus.spring.boot.RabbitTransportCustomizer;
import io.eventbus.spring.boot.SubscriptionCustomizer;
import io.eventbus.spring.boot.TransportCustomizer;
import io.eventbus.testkit.EventRecorder;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Auto-configures eventbus: a {@link Transport} (RabbitMQ, or the in-memory one), an {@link
 * EventBus} (which is also the {@link io.eventbus.EventPublisher}) built from {@link
 * EventBusProperties} and the customizer beans, the lifecycle that subscribes {@link
 * io.eventbus.EventHandler} beans when the context starts and shuts the bus down gracefully when it
 * stops. {@link EventBusHealthContributorAutoConfiguration} adds the health contributor.
 *
 * <p>Each bean backs off when the application defines its own: a {@code Transport} bean replaces
 * the RabbitMQ one built from {@code eventbus.rabbitmq.*}; an {@code EventBus} bean replaces the
 * bus (its handler beans are still subscribed to it). The RabbitMQ transport takes its credentials
 * from the application's {@link CredentialsSource} bean when there is exactly one, and its TLS from
 * the Spring Boot SSL bundle named by {@code eventbus.rabbitmq.ssl.bundle}. The bus uses the
 * context's {@link OpenTelemetry} bean when there is exactly one (for example from {@code
 * spring-boot-starter-opentelemetry}), and {@code GlobalOpenTelemetry} otherwise.
 *
 * <h2>Lifecycle</h2>
 *
 * The transport connects when the bus bean is created, during the context's refresh, so a broker
 * that cannot be reached fails the start. The bus owns the transport; the lifecycle closes the bus
 * in its shutdown phase, and its destroy method closes it too if the context never started.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
      "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration"
    })
@EnableConfigurationProperties(EventBusProperties.class)
@Import({
  EventBusAutoConfiguration.RabbitTransportConfiguration.class,
  EventBusAutoConfiguration.InMemoryTransportConfiguration.class,
  EventBusAutoConfiguration.MissingInMemoryConfiguration.class,
  EventBusAutoConfiguration.MissingRabbitConfiguration.class,
  EventBusAutoConfiguration.RecordingConfiguration.class
})
public final class EventBusAutoConfiguration {
  private static final String TRANSPORT = "eventbus.transport";

  /** Collects the {@code @EventHandler} beans; static, as a bean post-processor must be. */
  @Bean
  static EventHandlerBeans eventBusHandlerBeans() {
    return new EventHandlerBeans();
  }

  /**
   * Keeps handler beans out of lazy initialisation ({@code spring.main.lazy-initialization}): a
   * handler bean nobody injects would otherwise never be created, and so never subscribed.
   */
  @Bean
  static LazyInitializationExcludeFilter eventHandlerBeansAreEager() {
    return (name, definition, type) ->
        type != null && EventHandlerBeans.hasHandlerMethods(ClassUtils.getUserClass(type));
  }

  @Bean
  @ConditionalOnMissingBean
  EventBus eventBus(
      Transport transport,
      EventBusProperties properties,
      Environment environment,
      ObjectProvider<OpenTelemetry> openTelemetry,
      ObjectProvider<TransportCustomizer> transportCustomizers,
      ObjectProvider<EventBusCustomizer> busCustomizers,
      BeanFactory beanFactory) {
    Transport used = transport;
    try {
      for (TransportCustomizer customizer : transportCustomizers.orderedStream().toList()) {
        used = customizer.customize(used);
      }
      return bus(used, properties, environment, openTelemetry, busCustomizers, beanFactory);
    } catch (RuntimeException e) {
      // The bus owns the transport, which has no destroy method of its own: a bus that cannot be
      // built must not leave its connections open.
      used.close();
      throw e;
    }
  }

  private static EventBus bus(
      Transport used,
      EventBusProperties properties,
      Environment environment,
      ObjectProvider<OpenTelemetry> openTelemetry,
      ObjectProvider<EventBusCustomizer> busCustomizers,
      BeanFactory beanFactory) {
    EventBus.Builder builder = EventBus.builder().transport(used);
    String source = properties.source();
    if (source == null) {
      String application = environment.getProperty("spring.application.name");
      source = application == null || application.isBlank() ? "/eventbus" : "/" + application;
    }
    builder.source(source);
    if (properties.scanEventTypes() && AutoConfigurationPackages.has(beanFactory)) {
      for (Class<?> type :
          EventTypeScanner.scan(
              AutoConfigurationPackages.get(beanFactory), classLoader(beanFactory))) {
        builder.register(type);
      }
    }
    OpenTelemetry telemetry = openTelemetry.getIfUnique();
    if (telemetry != null) {
      builder.openTelemetry(telemetry);
    }
    busCustomizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return Settings.build(
        builder::build, setting -> setting.equals("source") ? "eventbus.source" : null);
  }

  private static ClassLoader classLoader(BeanFactory beanFactory) {
    ClassLoader loader =
        beanFactory instanceof ConfigurableBeanFactory configurable
            ? configurable.getBeanClassLoader()
            : null;
    return loader != null ? loader : EventBus.class.getClassLoader();
  }

  @Bean
  @ConditionalOnMissingBean
  EventBusLifecycle eventBusLifecycle(
      EventBus eventBus,
      EventHandlerBeans handlerBeans,
      EventBusProperties properties,
      Environment environment,
      ObjectProvider<SubscriptionCustomizer> customizers,
      ObjectProvider<JdbcMessaging> jdbcMessaging) {
    String defaultSubscription = properties.defaultSubscription();
    if (defaultSubscription == null) {
      defaultSubscription = environment.getProperty("spring.application.name");
    }
    JdbcMessaging jdbc = jdbcMessaging.getIfAvailable();
    return new EventBusLifecycle(
        eventBus,
        handlerBeans,
        new SubscriptionOptionsFactory(
            properties,
            environment::resolveRequiredPlaceholders,
            customizers.orderedStream().toList(),
            jdbc == null ? null : jdbc::inboxMiddleware),
        defaultSubscription,
        properties.subscriptions().keySet(),
        jdbc);
  }

  /** The RabbitMQ transport, unless the application has its own transport or bus. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RabbitTransport.class)
  @ConditionalOnProperty(name = TRANSPORT, havingValue = "rabbitmq", matchIfMissing = true)
  @ConditionalOnMissingBean({Transport.class, EventBus.class})
  static class RabbitTransportConfiguration {
    /** No destroy method: the bus owns the transport and closes it. */
    @Bean(destroyMethod = "")
    RabbitTransport eventBusTransport(
        EventBusProperties properties,
        Environment environment,
        ObjectProvider<RabbitTransportCustomizer> customizers,
        ObjectProvider<SslBundles> sslBundles,
        ObjectProvider<CredentialsSource> credentials) {
      String application = environment.getProperty("spring.application.name");
      return RabbitTransports.build(
          properties.rabbitmq(),
          application == null || application.isBlank() ? "eventbus" : application,
          customizers.orderedStream().toList(),
          sslBundles.getIfAvailable(),
          credentials.getIfUnique());
    }
  }

  /** {@code eventbus.transport=in-memory}: eventbus-inmemory's transport, for tests and demos. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(InMemoryTransport.class)
  @ConditionalOnProperty(name = TRANSPORT, havingValue = "in-memory")
  @ConditionalOnMissingBean({Transport.class, EventBus.class})
  static class InMemoryTransportConfiguration {
    /** No destroy method: the bus owns the transport and closes it. */
    @Bean(destroyMethod = "")
    InMemoryTransport eventBusTransport() {
      return InMemoryTransport.create();
    }
  }

  /** {@code eventbus.transport=in-memory} without eventbus-inmemory: say what is missing. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("io.eventbus.inmemory.InMemoryTransport")
  @ConditionalOnProperty(name = TRANSPORT, havingValue = "in-memory")
  @ConditionalOnMissingBean({Transport.class, EventBus.class})
  static class MissingInMemoryConfiguration {
    MissingInMemoryConfiguration() {
      throw new EventBusConfigurationException(
          TRANSPORT,
          "eventbus.transport=in-memory needs io.eventbus:eventbus-inmemory on the class path"
              + " (eventbus-testkit brings it; usually in test scope)");
    }
  }

  /** The RabbitMQ transport is wanted but not on the class path, and no transport is defined. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("io.eventbus.rabbitmq.RabbitTransport")
  @ConditionalOnProperty(name = TRANSPORT, havingValue = "rabbitmq", matchIfMissing = true)
  @ConditionalOnMissingBean({Transport.class, EventBus.class})
  static class MissingRabbitConfiguration {
    MissingRabbitConfiguration() {
      throw new EventBusConfigurationException(
          TRANSPORT,
          "eventbus.transport=rabbitmq needs io.eventbus:eventbus-rabbitmq on the class path (the"
              + " starter brings it), or define a Transport bean");
    }
  }

  /**
   * With an {@link EventRecorder} bean (tests), everything the bus sends and settles is recorded.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(EventRecorder.class)
  @ConditionalOnBean(EventRecorder.class)
  static class RecordingConfiguration {
    @Bean
    TransportCustomizer eventRecorderTransportCustomizer(EventRecorder recorder) {
      return recorder::record;
    }
  }
}
