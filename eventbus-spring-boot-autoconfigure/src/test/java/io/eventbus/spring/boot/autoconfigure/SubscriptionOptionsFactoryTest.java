package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.SubscriptionOptions;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Stage;
import io.eventbus.spring.boot.EventSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class SubscriptionOptionsFactoryTest {

  @Test
  void bindsEveryPropertyWithItsDefault() {
    EventBusProperties properties = bind(Map.of());

    assertThat(properties.transport()).isEqualTo(EventBusProperties.TransportKind.RABBITMQ);
    assertThat(properties.rabbitmq().uri()).isEqualTo("amqp://localhost:5672");
    assertThat(properties.rabbitmq().exchange()).isEqualTo("eventbus");
    assertThat(properties.rabbitmq().queueType()).isEqualTo(EventBusProperties.QueueType.QUORUM);
    assertThat(properties.rabbitmq().publisher().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(properties.rabbitmq().publisher().maxBufferedBytes().toMegabytes()).isEqualTo(64);
    assertThat(properties.subscriptions()).isEmpty();
  }

  @Test
  void bindsRelaxedNamesAndDurations() {
    EventBusProperties properties =
        bind(
            Map.of(
                "eventbus.transport", "in-memory",
                "eventbus.rabbitmq.queue-type", "classic",
                "eventbus.rabbitmq.publisher.max-buffered-bytes", "8MB",
                "eventbus.subscriptions.shipping.redelivery-delays", "500ms,2s",
                "eventbus.subscriptions.shipping.ordering", "partitioned"));

    assertThat(properties.transport()).isEqualTo(EventBusProperties.TransportKind.IN_MEMORY);
    assertThat(properties.rabbitmq().queueType()).isEqualTo(EventBusProperties.QueueType.CLASSIC);
    assertThat(properties.rabbitmq().publisher().maxBufferedBytes().toMegabytes()).isEqualTo(8);
    assertThat(properties.subscriptions().get("shipping").redeliveryDelays())
        .containsExactly(Duration.ofMillis(500), Duration.ofSeconds(2));
  }

  @Test
  void propertiesOverrideTheAnnotationWhichOverridesTheDefaults() {
    EventBusProperties properties =
        bind(
            Map.of(
                "eventbus.subscriptions.shipping.concurrency", "8",
                "eventbus.subscriptions.shipping.retry.max-attempts", "5",
                "eventbus.subscriptions.shipping.retry.initial-backoff", "20ms"));
    SubscriptionOptionsFactory factory =
        new SubscriptionOptionsFactory(
            properties, text -> text.replace("${env}", "prod"), List.of());

    SubscriptionOptions options =
        factory.options("shipping", Annotated.class.getAnnotation(EventSubscription.class), "x");

    assertThat(options.concurrency()).isEqualTo(8);
    assertThat(options.prefetch()).isEqualTo(7);
    assertThat(options.redeliveryDelays()).containsExactly(Duration.ofMillis(500));
    assertThat(options.handlerTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(options.retryPolicy().maxAttempts()).isEqualTo(5);
    assertThat(options.retryPolicy().initialBackoff()).isEqualTo(Duration.ofMillis(20));
    assertThat(options.retryPolicy().maxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(factory.name(Annotated.class.getAnnotation(EventSubscription.class)))
        .isEqualTo("shipping-prod");
  }

  @Test
  void anInvalidAnnotationAttributeFailsNamingTheBeanAndTheAttribute() {
    SubscriptionOptionsFactory factory =
        new SubscriptionOptionsFactory(bind(Map.of()), text -> text, List.of());

    assertThatThrownBy(
            () ->
                factory.options(
                    "broken", Broken.class.getAnnotation(EventSubscription.class), "bean 'broken'"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("@EventSubscription(\"broken\") on bean 'broken' handlerTimeout")
        .hasMessageContaining("'soon' is not a duration");
  }

  @Test
  void anIdempotentSubscriptionGetsTheInboxMiddlewareOutsideTheCustomizersOnes() {
    Middleware inbox = (delivery, chain) -> chain.proceed(delivery);
    Middleware customized = (delivery, chain) -> chain.proceed(delivery);
    SubscriptionOptionsFactory factory =
        new SubscriptionOptionsFactory(
            bind(Map.of("eventbus.subscriptions.audit.idempotent", "true")),
            text -> text,
            List.of((name, options) -> options.middleware(customized)),
            () -> inbox);

    assertThat(factory.options("audit", null, "bean 'audit'").middleware(Stage.HANDLER))
        .containsExactly(inbox, customized);
    assertThat(
            factory
                .options("shipping", Annotated.class.getAnnotation(EventSubscription.class), "x")
                .middleware(Stage.HANDLER))
        .containsExactly(customized);
  }

  @Test
  void anIdempotentSubscriptionWithoutAnInboxFailsNamingWhereItWasMarked() {
    SubscriptionOptionsFactory factory =
        new SubscriptionOptionsFactory(bind(Map.of()), text -> text, List.of(), () -> null);

    assertThatThrownBy(
            () ->
                factory.options(
                    "audit", Idempotent.class.getAnnotation(EventSubscription.class), "bean 'a'"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(
            "@EventSubscription(\"audit\") on bean 'a' idempotent: an idempotent subscription"
                + " needs the inbox")
        .hasMessageContaining("io.eventbus:eventbus-jdbc")
        .hasMessageContaining("a DataSource bean");
  }

  @Test
  void aValueOnlyBuildFindsInvalidIsReportedUnderThePropertyThatSetIt() {
    SubscriptionOptionsFactory factory =
        new SubscriptionOptionsFactory(
            bind(
                Map.of(
                    "eventbus.subscriptions.shipping.stall-timeout", "0s",
                    "eventbus.subscriptions.shipping.retry.jitter", "2")),
            text -> text,
            List.of());

    assertThatThrownBy(() -> factory.options("shipping", null, "bean 'x'"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("eventbus.subscriptions.shipping.retry.jitter: ")
        .hasMessageContaining("between 0 and 1");
    assertThatThrownBy(
            () ->
                new SubscriptionOptionsFactory(
                        bind(Map.of("eventbus.subscriptions.shipping.stall-timeout", "0s")),
                        text -> text,
                        List.of())
                    .options("shipping", null, "bean 'x'"))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("eventbus.subscriptions.shipping.stall-timeout: ")
        .hasMessageContaining("must be positive");
  }

  @Test
  void mapsTheResiliencePropertiesToTheSubscriptionsOptions() {
    String prefix = "eventbus.subscriptions.payments.";
    SubscriptionOptions options =
        new SubscriptionOptionsFactory(
                bind(
                    Map.of(
                        prefix + "circuit-breaker.failure-rate-threshold", "25",
                        prefix + "circuit-breaker.sliding-window-time", "10s",
                        prefix + "circuit-breaker.minimum-calls", "4",
                        prefix + "circuit-breaker.open-duration", "2m",
                        prefix + "circuit-breaker.probes", "2",
                        prefix + "concurrency-limit", "3",
                        prefix + "rate-limit.events", "50")),
                text -> text,
                List.of())
            .options("payments", null, "bean 'payments'");

    assertThat(options.circuitBreaker()).isNotNull();
    assertThat(options.circuitBreaker().failureRateThreshold()).isEqualTo(25f);
    assertThat(options.circuitBreaker().slidingWindowTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.circuitBreaker().minimumCalls()).isEqualTo(4);
    assertThat(options.circuitBreaker().openDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(options.circuitBreaker().probes()).isEqualTo(2);
    assertThat(options.concurrencyLimit()).isEqualTo(3);
    assertThat(options.rateLimit())
        .isEqualTo(new SubscriptionOptions.RateLimit(50, Duration.ofSeconds(1)));
  }

  @Test
  void aBreakerIsOnWhenEnabledOrConfiguredAndOffWhenDisabled() {
    String prefix = "eventbus.subscriptions.payments.circuit-breaker.";
    assertThat(options(Map.of()).circuitBreaker()).isNull();
    assertThat(options(Map.of(prefix + "enabled", "true")).circuitBreaker().toString())
        .isEqualTo(io.eventbus.CircuitBreakerPolicy.defaults().toString());
    assertThat(options(Map.of(prefix + "probes", "5")).circuitBreaker().probes()).isEqualTo(5);
    assertThat(
            options(Map.of(prefix + "probes", "5", prefix + "enabled", "false")).circuitBreaker())
        .isNull();
  }

  @Test
  void anInvalidResiliencePropertyFailsNamingIt() {
    String prefix = "eventbus.subscriptions.payments.";
    assertThatThrownBy(() -> options(Map.of(prefix + "circuit-breaker.probes", "0")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(prefix + "circuit-breaker.probes: ");
    assertThatThrownBy(() -> options(Map.of(prefix + "concurrency-limit", "70000")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(prefix + "concurrency-limit: ");
    assertThatThrownBy(() -> options(Map.of(prefix + "rate-limit.events", "0")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(prefix + "rate-limit.events/per: ");
    assertThatThrownBy(() -> options(Map.of(prefix + "rate-limit.per", "1s")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(prefix + "rate-limit.per needs ");
    assertThatThrownBy(
            () ->
                options(
                    Map.of(
                        prefix + "circuit-breaker.sliding-window-size", "10",
                        prefix + "circuit-breaker.sliding-window-time", "10s")))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(prefix + "circuit-breaker.sliding-window-time");
  }

  @Test
  void theRabbitSettingsShowNoPassword() {
    EventBusProperties properties =
        bind(
            Map.of(
                "eventbus.rabbitmq.uri", "amqps://orders:uri-secret@broker:5671/prod",
                "eventbus.rabbitmq.failover-uris", "amqps://a:list-secret@b1,amqps://a:x2@b2",
                "eventbus.rabbitmq.username", "orders",
                "eventbus.rabbitmq.password", "property-secret"));

    assertThat(properties.toString())
        .contains("amqps://orders:******@broker:5671/prod", "username=orders")
        .doesNotContain("uri-secret", "list-secret", "x2@", "property-secret");
  }

  private static SubscriptionOptions options(Map<String, String> values) {
    return new SubscriptionOptionsFactory(bind(values), text -> text, List.of())
        .options("payments", null, "bean 'payments'");
  }

  private static EventBusProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("eventbus", EventBusProperties.class);
  }

  @EventSubscription(
      value = "shipping-${env}",
      concurrency = 2,
      prefetch = 7,
      redeliveryDelays = "500ms",
      handlerTimeout = "3s")
  static class Annotated {}

  @EventSubscription(value = "broken", handlerTimeout = "soon")
  static class Broken {}

  @EventSubscription(value = "audit", idempotent = true)
  static class Idempotent {}
}
