package io.eventbus.rabbitmq.internal;

import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.TransportAdmin;
import io.eventbus.spi.TransportProvider;
import io.eventbus.spi.TransportSettings;
import java.util.List;
import java.util.Objects;

/**
 * Makes {@link RabbitTransport}s and their admins from neutral {@link TransportSettings}, for
 * {@code amqp://} and {@code amqps://} URIs: found through {@link java.util.ServiceLoader} by code
 * that does not depend on this module (the testkit's broker fixture).
 *
 * <h2>Thread safety</h2>
 *
 * Stateless.
 */
public final class RabbitTransportProvider implements TransportProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public RabbitTransportProvider() {}

  @Override
  public String name() {
    return "rabbitmq";
  }

  @Override
  public List<String> schemes() {
    return List.of("amqp", "amqps");
  }

  @Override
  public RabbitTransport create(TransportSettings settings) {
    return builder(settings).build();
  }

  /**
   * A transport builder holding {@code settings} and the default topology on their exchange, for
   * callers that set more (RabbitMQ's own tests).
   */
  public RabbitTransport.Builder builder(TransportSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return RabbitTransport.builder()
        .uri(settings.uri())
        .topology(topology(settings))
        .connectionName(settings.connectionName())
        .connectTimeout(settings.connectTimeout())
        .publisher(
            PublisherSettings.builder()
                .timeout(settings.publishTimeout())
                .failUnroutable(settings.failUnroutable())
                .build())
        .shutdownTimeout(settings.shutdownTimeout());
  }

  @Override
  public TransportAdmin admin(TransportSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return RabbitAdmin.open(settings, topology(settings));
  }

  private static RabbitTopology topology(TransportSettings settings) {
    return RabbitTopology.defaults().withExchange(settings.exchange());
  }

  @Override
  public String toString() {
    return "RabbitTransportProvider[amqp, amqps]";
  }
}
