package io.eventbus.testkit.junit5;

/** Where an {@link EventBusFixture}'s transports carry messages. */
public enum TransportKind {
  /** {@link io.eventbus.testkit.InMemoryTransport}: no broker, fast, the same semantics. */
  IN_MEMORY,
  /**
   * {@link io.eventbus.rabbitmq.RabbitTransport} on a broker from {@link
   * io.eventbus.testkit.broker.Brokers#provide()}.
   */
  BROKER
}
