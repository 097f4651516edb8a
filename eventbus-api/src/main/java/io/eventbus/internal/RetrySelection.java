package io.eventbus.internal;

import io.eventbus.Handlers.Registration;
import io.eventbus.RetryPolicy;
import io.eventbus.Sleeper;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.middleware.Middlewares;
import java.util.HashMap;
import java.util.Map;

/**
 * Chooses each event type's retry policy, the handler's own or the subscription's, once, and runs
 * the in-process retry under it (the {@code RETRY} stage). The delayed-redelivery link asks it for
 * the same policy, so the two never disagree.
 */
final class RetrySelection implements Link {
  /** A policy and the retry link made from it. */
  private record Retry(RetryPolicy policy, Middleware link) {}

  private final Retry subscriptionRetry;
  private final Map<String, Retry> byType = new HashMap<>();

  RetrySelection(
      Map<String, Registration<?>> handlersByType,
      RetryPolicy subscriptionPolicy,
      Sleeper sleeper) {
    this.subscriptionRetry =
        new Retry(subscriptionPolicy, Middlewares.retry(subscriptionPolicy, sleeper));
    handlersByType.forEach(
        (type, registration) -> {
          RetryPolicy own = registration.retryPolicy();
          if (own != null) {
            byType.put(type, new Retry(own, Middlewares.retry(own, sleeper)));
          }
        });
  }

  /** The policy that governs events of {@code type}. */
  RetryPolicy policyFor(String type) {
    return retryFor(type).policy();
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    retryFor(delivery.metadata().type()).link().handle(delivery, next);
  }

  private Retry retryFor(String type) {
    return byType.getOrDefault(type, subscriptionRetry);
  }
}
