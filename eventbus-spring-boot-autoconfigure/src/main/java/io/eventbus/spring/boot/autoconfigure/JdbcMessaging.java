package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.middleware.Middleware;
import org.jspecify.annotations.Nullable;

/**
 * What {@link EventBusJdbcAutoConfiguration} gives {@link EventBusLifecycle}: the inbox of
 * idempotent subscriptions and the outbox to stop before the bus closes. An interface without
 * eventbus-jdbc's types, so that the lifecycle and {@link EventBusAutoConfiguration} load without
 * that module on the class path.
 *
 * <h2>Thread safety</h2>
 *
 * Called by the context's lifecycle, one call at a time.
 */
interface JdbcMessaging {
  /**
   * The inbox middleware for an idempotent subscription, the inbox created on first use; null if
   * the application has no inbox ({@code eventbus.inbox.enabled=false}).
   */
  @Nullable Middleware inboxMiddleware();

  /**
   * Stops the outbox's relay (a batch in flight finishes or rolls back); called after the
   * subscriptions stopped and before the bus closes. Rows still unsent stay in the table for the
   * next start. Idempotent.
   */
  void stopOutbox();
}
