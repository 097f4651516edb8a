package io.eventbus.testkit.junit5;

/** Where an {@link EventBusFixture}'s transports carry messages. */
public enum TransportKind {
  /** {@link io.eventbus.inmemory.InMemoryTransport}: no broker, fast, the same semantics. */
  IN_MEMORY,
  /**
   * A real broker from {@link io.eventbus.testkit.broker.Brokers#provide()}, with transports from
   * the {@link io.eventbus.spi.TransportProvider} installed for its URI (for RabbitMQ, add {@code
   * io.eventbus:eventbus-rabbitmq} to the test class path).
   */
  BROKER
}
