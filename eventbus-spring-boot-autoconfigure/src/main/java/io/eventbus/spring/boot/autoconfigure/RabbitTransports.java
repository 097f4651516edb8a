package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spring.boot.RabbitTransportCustomizer;
import java.util.List;

/** Builds the {@link RabbitTransport} that the {@code eventbus.rabbitmq.*} properties describe. */
final class RabbitTransports {
  private static final String PREFIX = "eventbus.rabbitmq.";

  private RabbitTransports() {}

  static RabbitTransport.Builder builder(
      EventBusProperties.Rabbitmq rabbit, String defaultConnectionName) {
    RabbitTransport.Builder builder = RabbitTransport.builder();
    Settings.apply(PREFIX + "uri", () -> builder.uri(rabbit.uri()));
    for (String uri : rabbit.failoverUris()) {
      Settings.apply(PREFIX + "failover-uris", () -> builder.uri(uri));
    }
    String connectionName =
        rabbit.connectionName() != null ? rabbit.connectionName() : defaultConnectionName;
    builder.connectionName(connectionName);
    Settings.apply(PREFIX + "heartbeat", () -> builder.heartbeat(rabbit.heartbeat()));
    Settings.apply(
        PREFIX + "connect-timeout", () -> builder.connectTimeout(rabbit.connectTimeout()));
    Settings.apply(
        PREFIX + "recovery-interval", () -> builder.recoveryInterval(rabbit.recoveryInterval()));
    Settings.apply(
        PREFIX + "health-check-interval",
        () -> builder.healthCheckInterval(rabbit.healthCheckInterval()));
    Settings.apply(
        PREFIX + "shutdown-timeout", () -> builder.shutdownTimeout(rabbit.shutdownTimeout()));
    builder.topology(topology(rabbit));
    builder.publisher(publisher(rabbit.publisher()));
    return builder;
  }

  static RabbitTransport build(
      EventBusProperties.Rabbitmq rabbit,
      String defaultConnectionName,
      List<RabbitTransportCustomizer> customizers) {
    RabbitTransport.Builder builder = builder(rabbit, defaultConnectionName);
    customizers.forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  private static RabbitTopology topology(EventBusProperties.Rabbitmq rabbit) {
    RabbitTopology[] topology = {RabbitTopology.defaults()};
    Settings.apply(
        PREFIX + "exchange", () -> topology[0] = topology[0].withExchange(rabbit.exchange()));
    Settings.apply(
        PREFIX + "queue-type",
        () ->
            topology[0] =
                topology[0].withQueueType(
                    RabbitTopology.QueueType.valueOf(rabbit.queueType().name())));
    Settings.apply(
        PREFIX + "delivery-limit",
        () -> topology[0] = topology[0].withDeliveryLimit(rabbit.deliveryLimit()));
    Settings.apply(
        PREFIX + "partitions", () -> topology[0] = topology[0].withPartitions(rabbit.partitions()));
    return topology[0];
  }

  private static PublisherSettings publisher(EventBusProperties.Publisher publisher) {
    String prefix = PREFIX + "publisher.";
    PublisherSettings[] settings = {PublisherSettings.defaults()};
    Settings.apply(
        prefix + "timeout", () -> settings[0] = settings[0].withTimeout(publisher.timeout()));
    Settings.apply(
        prefix + "max-buffered-events",
        () -> settings[0] = settings[0].withMaxBufferedEvents(publisher.maxBufferedEvents()));
    Settings.apply(
        prefix + "max-buffered-bytes",
        () ->
            settings[0] = settings[0].withMaxBufferedBytes(publisher.maxBufferedBytes().toBytes()));
    Settings.apply(
        prefix + "max-outstanding-confirms",
        () ->
            settings[0] =
                settings[0].withMaxOutstandingConfirms(publisher.maxOutstandingConfirms()));
    Settings.apply(
        prefix + "nack-retries",
        () -> settings[0] = settings[0].withNackRetries(publisher.nackRetries()));
    Settings.apply(
        prefix + "nack-backoff",
        () -> settings[0] = settings[0].withNackBackoff(publisher.nackBackoff()));
    settings[0] = settings[0].withAcceptUnroutable(publisher.acceptUnroutable());
    return settings[0];
  }
}
