package io.eventbus.spring.boot;

import io.eventbus.rabbitmq.RabbitTransport;

/**
 * Adjusts the builder of the auto-configured {@link RabbitTransport} after the {@code
 * eventbus.rabbitmq.*} properties were applied, for settings that have no property.
 *
 * <h2>Lifecycle</h2>
 *
 * Every customizer bean is called once, in {@link org.springframework.core.annotation.Order} order,
 * before the transport connects.
 */
@FunctionalInterface
public interface RabbitTransportCustomizer {
  /** Adjusts {@code builder}. */
  void customize(RabbitTransport.Builder builder);
}
