package io.eventbus.samples.orders.customers;

import io.eventbus.RequestHandler;
import io.eventbus.samples.orders.events.CheckCustomer;
import io.eventbus.samples.orders.events.CustomerChecked;

/** The customer service: answers {@link CheckCustomer} requests. Every demo customer may order. */
public final class CustomerResponders {
  @RequestHandler
  CustomerChecked check(CheckCustomer request) {
    return new CustomerChecked(request.customerEmail(), true, true);
  }
}
