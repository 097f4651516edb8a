package io.eventbus.internal;

import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Middleware.Chain;

/**
 * One built-in link of a {@link Pipeline}: a {@link Middleware} that also sees the delivery's
 * {@link DeliveryState}, so that it can settle the delivery or read and extend its history.
 */
@FunctionalInterface
interface Link {
  void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception;

  /** A plain middleware as a link: it never sees the state. */
  static Link of(Middleware middleware) {
    return (delivery, next, state) -> middleware.handle(delivery, next);
  }
}
