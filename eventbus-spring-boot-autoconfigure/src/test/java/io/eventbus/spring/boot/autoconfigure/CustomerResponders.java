package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventType;
import io.eventbus.RequestHandler;
import io.eventbus.spring.boot.EventSubscription;
import org.springframework.stereotype.Component;

/**
 * Answers customer checks: a bean like any other, whose {@code @RequestHandler} methods the starter
 * subscribes as it does {@code @EventHandler} ones.
 */
@Component
@EventSubscription("customers")
public class CustomerResponders {
  @EventType("spring-test.customer.check.v1")
  public record CheckCustomer(String customerId) {}

  @EventType("spring-test.customer.status.v1")
  public record CustomerStatus(String customerId, boolean allowed) {}

  @RequestHandler
  CustomerStatus check(CheckCustomer request) {
    if (request.customerId().isBlank()) {
      throw new IllegalArgumentException("no customer id");
    }
    return new CustomerStatus(request.customerId(), !request.customerId().startsWith("x"));
  }
}
