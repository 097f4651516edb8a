package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Contributes the {@code eventbus} health indicator ({@link EventBusHealthIndicator}) when Spring
 * Boot's health module is present (Actuator brings it) and {@code
 * management.health.eventbus.enabled} is not false.
 */
@AutoConfiguration(after = EventBusAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(EventBus.class)
@ConditionalOnEnabledHealthIndicator("eventbus")
public final class EventBusHealthContributorAutoConfiguration {
  @Bean
  @ConditionalOnMissingBean(name = "eventbusHealthIndicator")
  EventBusHealthIndicator eventbusHealthIndicator(EventBus eventBus) {
    return new EventBusHealthIndicator(eventBus);
  }
}
