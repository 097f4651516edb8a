package io.eventbus.rabbitmq;

import io.eventbus.testkit.conformance.TransportConformance;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;

/**
 * The testkit's conformance suite on {@link RabbitTransport} and a real broker: the fixture finds
 * this module's {@link io.eventbus.spi.TransportProvider} for the broker's {@code amqp://} URI.
 */
@EventBusTest(transport = TransportKind.BROKER)
class RabbitTransportConformanceIT extends TransportConformance {}
