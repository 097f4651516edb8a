package io.eventbus.spring.boot;

import io.eventbus.SubscriptionOptions;

/**
 * Adjusts a subscription's options before it starts, for what properties and {@link
 * EventSubscription} cannot say: middleware, a {@link io.eventbus.RetryPolicy} with non-retryable
 * exception types.
 *
 * <pre>{@code
 * @Bean
 * SubscriptionCustomizer auditing(AuditMiddleware audit) {
 *   return (name, options) -> options.middleware(audit);
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 *
 * Every customizer bean is called once per subscription, in {@link
 * org.springframework.core.annotation.Order} order, when the subscriptions start.
 */
@FunctionalInterface
public interface SubscriptionCustomizer {
  /** Adjusts the options of the subscription {@code name}. */
  void customize(String name, SubscriptionOptions.Builder options);
}
