package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventPublisher;
import io.eventbus.Health;
import io.eventbus.RequestException;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.Transport;
import io.eventbus.spring.boot.EventBusCustomizer;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.SubscriptionCustomizer;
import io.eventbus.spring.boot.TransportCustomizer;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.EventRecorder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class EventBusAutoConfigurationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  EventBusAutoConfiguration.class,
                  EventBusHealthContributorAutoConfiguration.class))
          .withPropertyValues("eventbus.transport=in-memory");

  @Test
  void givesABusThatIsThePublisherAndSubscribesAnnotatedBeansWhenTheContextStarts() {
    runner
        .withUserConfiguration(ShippingConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(EventBus.class);
              assertThat(context.getBean(EventPublisher.class))
                  .isSameAs(context.getBean(EventBus.class));
              assertThat(context.getBean(Transport.class)).isInstanceOf(InMemoryTransport.class);
              assertThat(context.getBean(EventBusLifecycle.class).subscriptionNames())
                  .containsExactly("shipping");

              String id =
                  context
                      .getBean(EventPublisher.class)
                      .publishAndWait(new OrderPlaced("o-1", 2))
                      .eventId();

              EventRecorder recorder = context.getBean(EventRecorder.class);
              assertThat(recorder.awaitHandled("shipping", OrderPlaced.class, 1, TIMEOUT))
                  .containsExactly(new OrderPlaced("o-1", 2));
              assertThat(context.getBean(ShippingHandlers.class).handledIds).containsExactly(id);
            });
  }

  @Test
  void groupsBeansOfOneSubscriptionAndPutsUnannotatedBeansInTheApplicationsSubscription() {
    runner
        .withUserConfiguration(ShippingConfiguration.class, UnannotatedConfiguration.class)
        .withPropertyValues("spring.application.name=billing")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(EventBusLifecycle.class).subscriptionNames())
                  .containsExactlyInAnyOrder("shipping", "billing");
              context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-2", 1));
              EventRecorder recorder = context.getBean(EventRecorder.class);
              recorder.awaitHandled("shipping", OrderPlaced.class, 1, TIMEOUT);
              recorder.awaitHandled("billing", OrderPlaced.class, 1, TIMEOUT);
            });
  }

  @Test
  void failsToStartWhenAHandlerBeanHasNoSubscriptionNamingWhatToDo() {
    runner
        .withUserConfiguration(UnannotatedConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(EventBusConfigurationException.class)
                  .hasMessageContaining("'unannotatedHandlers'")
                  .hasMessageContaining("@EventSubscription")
                  .hasMessageContaining("spring.application.name");
            });
  }

  @Test
  void failsToStartOnAnInvalidSubscriptionPropertyNamingIt() {
    runner
        .withUserConfiguration(ShippingConfiguration.class)
        .withPropertyValues("eventbus.subscriptions.shipping.concurrency=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(EventBusConfigurationException.class)
                  .hasMessageStartingWith("eventbus.subscriptions.shipping.concurrency: ")
                  .hasMessageContaining("between 1 and 256");
            });
  }

  @Test
  void closesTheTransportItOpenedWhenTheBusCannotBeBuilt() {
    List<Transport> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    runner
        .withPropertyValues("eventbus.source=" + "x".repeat(300))
        .withBean(
            TransportCustomizer.class,
            () ->
                transport -> {
                  seen.add(transport);
                  return transport;
                })
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(EventBusConfigurationException.class)
                  .hasMessageStartingWith("eventbus.source: ");
              assertThat(seen).singleElement();
              assertThat(seen.get(0).health().status()).isEqualTo(Health.Status.DOWN);
            });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnTransport() {
    runner
        .withPropertyValues("eventbus.transport=rabbitmq")
        .withUserConfiguration(OwnTransportConfiguration.class, ShippingConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(Transport.class);
              assertThat(context.getBean(Transport.class))
                  .isSameAs(context.getBean(OwnTransportConfiguration.class).transport);
              context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-3", 1));
              context
                  .getBean(EventRecorder.class)
                  .awaitHandled("shipping", OrderPlaced.class, 1, TIMEOUT);
            });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnBusAndStillSubscribesHandlerBeansToIt() {
    runner
        .withUserConfiguration(OwnBusConfiguration.class, ShippingConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(EventBus.class);
              assertThat(context).doesNotHaveBean(Transport.class);
              OwnBusConfiguration own = context.getBean(OwnBusConfiguration.class);
              assertThat(context.getBean(EventBus.class)).isSameAs(own.bus);
              own.bus.publishAndWait(new OrderPlaced("o-4", 1));
              own.transport.awaitIdle(TIMEOUT);
              assertThat(context.getBean(ShippingHandlers.class).handled).hasSize(1);
            });
  }

  @Test
  void appliesCustomizersToTheBusAndToEachSubscription() {
    runner
        .withUserConfiguration(ShippingConfiguration.class, CustomizerConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              CustomizerConfiguration customizers = context.getBean(CustomizerConfiguration.class);
              assertThat(customizers.busCustomized).isTrue();
              assertThat(customizers.subscriptions).containsExactly("shipping");
            });
  }

  @Test
  void usesTheContextsOpenTelemetryForItsMetrics() {
    runner
        .withUserConfiguration(ShippingConfiguration.class, TelemetryConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-5", 1));
              context
                  .getBean(EventRecorder.class)
                  .awaitHandled("shipping", OrderPlaced.class, 1, TIMEOUT);
              // The consumed counter is recorded as the pipeline returns, which may be after the
              // acknowledgement the recorder saw.
              Await.until(
                  TIMEOUT,
                  () ->
                      context.getBean(InMemoryMetricReader.class).collectAllMetrics().stream()
                          .map(MetricData::getName)
                          .toList(),
                  names ->
                      names.containsAll(
                          List.of(
                              "messaging.client.sent.messages",
                              "messaging.client.consumed.messages")),
                  "the bus's metrics in the context's meter provider");
            });
  }

  @Test
  void contributesHealthThatGoesDownWhenTheBusCloses() {
    runner
        .withUserConfiguration(ShippingConfiguration.class)
        .run(
            context -> {
              EventBusHealthIndicator health = context.getBean(EventBusHealthIndicator.class);
              assertThat(health.health().getStatus()).isEqualTo(Status.UP);
              assertThat(health.health().getDetails())
                  .containsKeys("transport", "subscription:shipping");

              context.getBean(EventBusLifecycle.class).stop();

              assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.health().getDetails()).containsKey("bus");
            });
  }

  @Test
  void healthGoesDownWhileASubscriptionIsStalledByAWedgedHandler() {
    runner
        .withUserConfiguration(WedgedConfiguration.class)
        .withPropertyValues("eventbus.subscriptions.wedged.stall-timeout=300ms")
        .run(
            context -> {
              EventBusHealthIndicator health = context.getBean(EventBusHealthIndicator.class);
              WedgedHandlers wedged = context.getBean(WedgedHandlers.class);
              EventBus bus = context.getBean(EventBus.class);
              bus.publishAndWait(new OrderPlaced("stuck", 1));
              bus.publishAndWait(new OrderPlaced("waiting", 1));

              Await.until(
                  TIMEOUT,
                  () -> health.health().getStatus().equals(Status.DOWN),
                  "health DOWN while the subscription is stalled");
              assertThat(health.health().getDetails().get("subscription:wedged").toString())
                  .contains("stalled");

              wedged.release.countDown();
              Await.until(
                  TIMEOUT,
                  () -> health.health().getStatus().equals(Status.UP),
                  "health UP once the handler is released");
            });
  }

  @Test
  void startsWithoutSpringBootsHealthModule() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .withUserConfiguration(ShippingConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(EventBus.class);
              assertThat(context).doesNotHaveBean(EventBusHealthIndicator.class);
            });
  }

  @Test
  void namesTheMissingModuleWhenItsTransportIsNotOnTheClassPath() {
    runner
        .withClassLoader(new FilteredClassLoader(InMemoryTransport.class))
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageContaining("eventbus.transport=in-memory needs")
                    .hasMessageContaining("eventbus-inmemory"));
    runner
        .withPropertyValues("eventbus.transport=rabbitmq")
        .withClassLoader(new FilteredClassLoader(RabbitTransport.class))
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(EventBusConfigurationException.class)
                    .hasMessageContaining("eventbus.transport=rabbitmq needs")
                    .hasMessageContaining("eventbus-rabbitmq"));
  }

  @Test
  void subscribesRequestHandlerBeansAndAnswersRequestsMadeThroughTheInjectedBus() {
    runner
        .withUserConfiguration(CustomerResponders.class, OrderChecks.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(EventBusLifecycle.class).subscriptionNames())
                  .containsExactly("customers");
              OrderChecks checks = context.getBean(OrderChecks.class);

              assertThat(checks.mayOrder("c-1")).isTrue();
              assertThat(checks.mayOrder("x-2")).isFalse();
              assertThatThrownBy(() -> checks.mayOrder(" "))
                  .isInstanceOfSatisfying(
                      RequestException.class,
                      e -> {
                        assertThat(e.reason()).isEqualTo(RequestException.Reason.RESPONDER_FAILED);
                        assertThat(e.remoteMessage()).isEqualTo("no customer id");
                      });
            });
  }

  @Test
  void aCircuitBreakerSetByPropertiesOpensAndPausesTheSubscription() throws IOException {
    Properties payments = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/payments.properties")) {
      payments.load(in);
    }
    runner
        .withUserConfiguration(PaymentHandlers.class)
        .withPropertyValues(
            payments.stringPropertyNames().stream()
                .map(name -> name + "=" + payments.getProperty(name))
                .toArray(String[]::new))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              EventBus bus = context.getBean(EventBus.class);
              for (int i = 0; i < 4; i++) {
                bus.publishAndWait(new OrderPlaced("p-" + i, 1));
              }

              Health.Component payment =
                  Await.until(
                      TIMEOUT,
                      () -> subscriptionHealth(bus, "payments"),
                      component -> "OPEN".equals(component.details().get("circuitState")),
                      "the payments subscription's circuit open");
              assertThat(payment.status()).isEqualTo(Health.Status.DEGRADED);

              // Paused: what is published now stays in the queue, unhandled.
              InMemoryTransport transport = context.getBean(InMemoryTransport.class);
              int attempts = context.getBean(PaymentHandlers.class).attempts.get();
              bus.publishAndWait(new OrderPlaced("p-4", 1));
              bus.publishAndWait(new OrderPlaced("p-5", 1));
              Await.until(
                  TIMEOUT,
                  () -> transport.readyCount("payments") >= 2,
                  "the new events waiting in the paused subscription's queue");
              assertThat(context.getBean(PaymentHandlers.class).attempts.get()).isEqualTo(attempts);
            });
  }

  private static Health.Component subscriptionHealth(EventBus bus, String name) {
    return bus.health().components().stream()
        .filter(component -> component.name().equals("subscription:" + name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void leavesTheHealthContributorOutWhenItIsDisabled() {
    runner
        .withUserConfiguration(ShippingConfiguration.class)
        .withPropertyValues("management.health.eventbus.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(EventBusHealthIndicator.class));
  }

  @EventSubscription("shipping")
  static class ShippingHandlers {
    final List<OrderPlaced> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> handledIds = new java.util.concurrent.CopyOnWriteArrayList<>();

    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      handled.add(order);
      handledIds.add(context.metadata().id());
    }
  }

  @EventSubscription("wedged")
  static class WedgedHandlers {
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @EventHandler
    void on(OrderPlaced order) throws InterruptedException {
      if (order.orderId().equals("stuck")) {
        release.await(); // a handler wedged on something that never answers, until released
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class WedgedConfiguration {
    @Bean
    WedgedHandlers wedgedHandlers() {
      return new WedgedHandlers();
    }
  }

  static class UnannotatedHandlers {
    @EventHandler
    void on(OrderPlaced order) {}
  }

  @Configuration(proxyBeanMethods = false)
  @RecordEvents
  static class ShippingConfiguration {
    @Bean
    ShippingHandlers shippingHandlers() {
      return new ShippingHandlers();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @Import(RecordEvents.RecorderConfiguration.class)
  static class UnannotatedConfiguration {
    @Bean
    UnannotatedHandlers unannotatedHandlers() {
      return new UnannotatedHandlers();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnTransportConfiguration {
    final InMemoryTransport transport = InMemoryTransport.create();

    @Bean(destroyMethod = "")
    Transport myTransport() {
      return transport;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBusConfiguration {
    final InMemoryTransport transport = InMemoryTransport.create();
    final EventBus bus = EventBus.builder().transport(transport).build();

    @Bean
    EventBus myBus() {
      return bus;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CustomizerConfiguration {
    volatile boolean busCustomized;
    final Set<String> subscriptions = ConcurrentHashMap.newKeySet();

    @Bean
    EventBusCustomizer busCustomizer() {
      return builder -> busCustomized = true;
    }

    @Bean
    SubscriptionCustomizer subscriptionCustomizer() {
      return (name, options) -> subscriptions.add(name);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TelemetryConfiguration {
    @Bean
    InMemoryMetricReader metricReader() {
      return InMemoryMetricReader.create();
    }

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry(InMemoryMetricReader reader) {
      return OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
          .build();
    }
  }
}
