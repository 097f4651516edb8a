package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventHandler;
import io.eventbus.spring.boot.EventSubscription;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Charges orders through a payment gateway that is down: every attempt fails. */
@Component
@EventSubscription("payments")
class PaymentHandlers {
  final AtomicInteger attempts = new AtomicInteger();

  @EventHandler
  void on(OrderPlaced order) {
    attempts.incrementAndGet();
    throw new IllegalStateException("payment gateway unavailable");
  }
}
