package io.eventbus.internal;

import io.eventbus.Handlers.Registration;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import java.util.Map;

/** Calls the handler registered for the decoded event's type: the end of every chain. */
final class HandlerInvoker implements Chain {
  private final String subscription;
  private final Map<String, Registration<?>> handlersByType;

  HandlerInvoker(String subscription, Map<String, Registration<?>> handlersByType) {
    this.subscription = subscription;
    this.handlersByType = handlersByType;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void proceed(DeliveryContext delivery) throws Exception {
    Registration<Object> handler =
        (Registration<Object>) handlersByType.get(delivery.metadata().type());
    if (handler == null) {
      throw UnknownEventTypeException.noHandler(
          delivery.metadata().id(), delivery.metadata().type(), subscription);
    }
    handler.function().handle(delivery.event(), delivery);
  }
}
