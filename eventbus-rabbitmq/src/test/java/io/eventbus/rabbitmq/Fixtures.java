package io.eventbus.rabbitmq;

import io.eventbus.rabbitmq.internal.RabbitTransportProvider;
import io.eventbus.testkit.junit5.EventBusFixture;

/**
 * RabbitMQ transports for the testkit's broker fixture when a test needs options the neutral {@link
 * io.eventbus.spi.TransportSettings} do not have; hand the built transport to {@link
 * EventBusFixture#transport(io.eventbus.spi.Transport)}.
 */
final class Fixtures {
  private static final RabbitTransportProvider PROVIDER = new RabbitTransportProvider();

  private Fixtures() {}

  /** A builder with the fixture's settings (exchange, connection name, timeouts). */
  static RabbitTransport.Builder rabbit(EventBusFixture fixture) {
    return PROVIDER.builder(fixture.settings());
  }

  /** A builder with the fixture's settings, connecting to {@code uri} (a proxy, for example). */
  static RabbitTransport.Builder rabbit(EventBusFixture fixture, String uri) {
    return PROVIDER.builder(fixture.settings().toBuilder().uri(uri).build());
  }
}
