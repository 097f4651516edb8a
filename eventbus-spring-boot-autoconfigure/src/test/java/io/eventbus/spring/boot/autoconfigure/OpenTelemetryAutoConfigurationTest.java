package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.EventRecorder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot's OpenTelemetry auto-configuration ({@code spring-boot-starter-opentelemetry}),
 * the bus reports through Boot's {@link OpenTelemetrySdk} bean: its metrics reach the meter
 * provider the application registers there, and from it whatever reader or exporter that provider
 * has (an OTLP exporter in production, an in-memory reader here).
 */
class OpenTelemetryAutoConfigurationTest {

  @Test
  void theBusReportsItsMetricsThroughSpringBootsOpenTelemetrySdk() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                OpenTelemetrySdkAutoConfiguration.class, EventBusAutoConfiguration.class))
        .withPropertyValues("eventbus.transport=in-memory", "spring.application.name=billing")
        .withUserConfiguration(MeterProviderConfiguration.class, BillingConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(OpenTelemetrySdk.class);
              context.getBean(EventBus.class).publishAndWait(new OrderPlaced("o-1", 1));
              context
                  .getBean(EventRecorder.class)
                  .awaitHandled("billing", OrderPlaced.class, 1, Duration.ofSeconds(10));

              List<MetricData> metrics =
                  List.copyOf(context.getBean(InMemoryMetricReader.class).collectAllMetrics());
              assertThat(metrics)
                  .extracting(MetricData::getName)
                  .contains(
                      "messaging.client.sent.messages",
                      "messaging.client.operation.duration",
                      "messaging.client.consumed.messages",
                      "messaging.process.duration");
              assertThat(metrics)
                  .filteredOn(metric -> metric.getName().equals("messaging.client.sent.messages"))
                  .singleElement()
                  .satisfies(
                      metric ->
                          assertThat(metric.getResource().getAttributes().asMap().toString())
                              .as("Boot's resource, named after the application")
                              .contains("billing"));
            });
  }

  @Configuration(proxyBeanMethods = false)
  @RecordEvents
  static class BillingConfiguration {
    @Bean
    BillingHandlers billingHandlers() {
      return new BillingHandlers();
    }
  }

  @EventSubscription("billing")
  static class BillingHandlers {
    @EventHandler
    void on(OrderPlaced order) {}
  }
}
