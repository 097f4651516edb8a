package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import io.eventbus.RequestOptions;
import io.eventbus.spring.boot.autoconfigure.CustomerResponders.CheckCustomer;
import io.eventbus.spring.boot.autoconfigure.CustomerResponders.CustomerStatus;
import java.time.Duration;
import org.springframework.stereotype.Service;

/** Asks the customer service before accepting an order: the injected bus is the requester. */
@Service
public class OrderChecks {
  private final EventBus bus;

  OrderChecks(EventBus bus) {
    this.bus = bus;
  }

  public boolean mayOrder(String customerId) {
    CustomerStatus status =
        bus.requestAndWait( // throws RequestException: no responder, deadline, responder failed
            new CheckCustomer(customerId),
            CustomerStatus.class,
            RequestOptions.timeout(Duration.ofSeconds(5)));
    return status.allowed();
  }
}
