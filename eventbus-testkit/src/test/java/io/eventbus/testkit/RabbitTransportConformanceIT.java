package io.eventbus.testkit;

import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;

/** The same conformance suite on {@link io.eventbus.rabbitmq.RabbitTransport} and a real broker. */
@EventBusTest(transport = TransportKind.BROKER)
class RabbitTransportConformanceIT extends TransportConformance {}
