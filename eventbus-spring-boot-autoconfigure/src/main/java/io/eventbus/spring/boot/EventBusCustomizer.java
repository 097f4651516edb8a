package io.eventbus.spring.boot;

import io.eventbus.EventBus;

/**
 * Adjusts the auto-configured bus's builder before it is built: register publish-only event
 * classes, choose a codec or a clock.
 *
 * <pre>{@code
 * @Bean
 * EventBusCustomizer publishedTypes() {
 *   return builder -> builder.register(ShipmentDispatched.class);
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 *
 * Every customizer bean is called once, in {@link org.springframework.core.annotation.Order} order,
 * after the properties were applied. Subscriptions are not added here: they start with the
 * application (see {@link EventSubscription}).
 */
@FunctionalInterface
public interface EventBusCustomizer {
  /** Adjusts {@code builder}. */
  void customize(EventBus.Builder builder);
}
