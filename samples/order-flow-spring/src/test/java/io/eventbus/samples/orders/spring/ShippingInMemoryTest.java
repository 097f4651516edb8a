package io.eventbus.samples.orders.spring;

import io.eventbus.spring.boot.test.InMemoryEventBus;
import org.springframework.boot.test.context.SpringBootTest;

/** The shipping service's behaviour on the in-memory transport: no broker needed. */
@SpringBootTest(properties = "order-flow.demo.orders=0")
@InMemoryEventBus
class ShippingInMemoryTest extends ShippingBehaviour {}
