package io.eventbus.samples.orders.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The order flow's shipping service as a Spring Boot application: {@link ShippingHandlers} checks
 * placed orders and dispatches paid ones; {@link TrackingHandlers} follows the shipments; Actuator
 * reports the bus's health. With {@code order-flow.demo.orders} above 0 it places that many orders
 * itself ({@link DemoOrders}). The {@code @EventType} classes under this package are registered by
 * themselves, those it only publishes included. See samples/order-flow-spring/README.md.
 */
@SpringBootApplication
public class ShippingApplication {

  public static void main(String[] args) {
    SpringApplication.run(ShippingApplication.class, args);
  }
}
