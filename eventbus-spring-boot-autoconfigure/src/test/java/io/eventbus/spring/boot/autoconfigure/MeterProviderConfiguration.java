package io.eventbus.spring.boot.autoconfigure;

import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A meter provider for Spring Boot's OpenTelemetry SDK, which the bus then reports through. In
 * production the reader is {@code PeriodicMetricReader.create(OtlpHttpMetricExporter.getDefault())}
 * (opentelemetry-exporter-otlp); here it is an in-memory one the test reads.
 */
@Configuration(proxyBeanMethods = false)
class MeterProviderConfiguration {
  @Bean
  InMemoryMetricReader metricReader() {
    return InMemoryMetricReader.create();
  }

  @Bean
  SdkMeterProvider meterProvider(Resource resource, InMemoryMetricReader reader) {
    return SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
  }
}
