package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spring.boot.RabbitTransportCustomizer;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link RabbitTransport} that the {@code eventbus.rabbitmq.*} properties describe.
 *
 * <p>The RabbitMQ module validates each value once, when its value object or the transport is
 * built, and names the setting as its builder spells it ({@code RabbitTopology.partitions}); this
 * class turns that name into the property's, so that a bad value fails the start naming {@code
 * eventbus.rabbitmq.partitions}.
 */
final class RabbitTransports {
  private static final String PREFIX = "eventbus.rabbitmq.";

  /** The RabbitMQ module's setting names, as its failures start, and the properties behind them. */
  private static final Map<String, String> PROPERTIES =
      Map.ofEntries(
          Map.entry("RabbitTransport.Builder.uri", PREFIX + "uri"),
          Map.entry("RabbitTransport.Builder.connectTimeout", PREFIX + "connect-timeout"),
          Map.entry("RabbitTransport.Builder.heartbeat", PREFIX + "heartbeat"),
          Map.entry("RabbitTransport.Builder.recoveryInterval", PREFIX + "recovery-interval"),
          Map.entry("RabbitTransport.Builder.shutdownTimeout", PREFIX + "shutdown-timeout"),
          Map.entry(
              "RabbitTransport.Builder.healthCheckInterval", PREFIX + "health-check-interval"),
          Map.entry("RabbitTopology.exchange", PREFIX + "exchange"),
          Map.entry("RabbitTopology.deliveryLimit", PREFIX + "delivery-limit"),
          Map.entry("RabbitTopology.partitions", PREFIX + "partitions"),
          Map.entry("PublisherSettings.timeout", PREFIX + "publisher.timeout"),
          Map.entry(
              "PublisherSettings.maxBufferedEvents", PREFIX + "publisher.max-buffered-events"),
          Map.entry("PublisherSettings.maxBufferedBytes", PREFIX + "publisher.max-buffered-bytes"),
          Map.entry(
              "PublisherSettings.maxOutstandingConfirms",
              PREFIX + "publisher.max-outstanding-confirms"),
          Map.entry("PublisherSettings.nackRetries", PREFIX + "publisher.nack-retries"),
          Map.entry("PublisherSettings.nackBackoff", PREFIX + "publisher.nack-backoff"));

  private RabbitTransports() {}

  /**
   * A builder holding the properties' settings.
   *
   * @throws EventBusConfigurationException naming the property whose value is invalid
   */
  static RabbitTransport.Builder builder(
      EventBusProperties.Rabbitmq rabbit, String defaultConnectionName) {
    RabbitTransport.Builder builder = RabbitTransport.builder();
    builder.uri(rabbit.uri());
    rabbit.failoverUris().forEach(builder::uri);
    builder
        .connectionName(
            rabbit.connectionName() != null ? rabbit.connectionName() : defaultConnectionName)
        .heartbeat(rabbit.heartbeat())
        .connectTimeout(rabbit.connectTimeout())
        .recoveryInterval(rabbit.recoveryInterval())
        .healthCheckInterval(rabbit.healthCheckInterval())
        .shutdownTimeout(rabbit.shutdownTimeout());
    named(
        () ->
            builder
                .topology(
                    RabbitTopology.builder()
                        .exchange(rabbit.exchange())
                        .queueType(RabbitTopology.QueueType.valueOf(rabbit.queueType().name()))
                        .deliveryLimit(rabbit.deliveryLimit())
                        .partitions(rabbit.partitions())
                        .build())
                .publisher(publisher(rabbit.publisher())));
    return builder;
  }

  /**
   * The transport the properties and then the customizers describe, connected.
   *
   * @throws EventBusConfigurationException naming the property whose value is invalid
   */
  static RabbitTransport build(
      EventBusProperties.Rabbitmq rabbit,
      String defaultConnectionName,
      List<RabbitTransportCustomizer> customizers) {
    RabbitTransport.Builder builder = builder(rabbit, defaultConnectionName);
    customizers.forEach(customizer -> customizer.customize(builder));
    RabbitTransport[] transport = new RabbitTransport[1];
    named(() -> transport[0] = builder.build());
    return transport[0];
  }

  private static PublisherSettings publisher(EventBusProperties.Publisher publisher) {
    return PublisherSettings.builder()
        .timeout(publisher.timeout())
        .maxBufferedEvents(publisher.maxBufferedEvents())
        .maxBufferedBytes(publisher.maxBufferedBytes().toBytes())
        .maxOutstandingConfirms(publisher.maxOutstandingConfirms())
        .nackRetries(publisher.nackRetries())
        .nackBackoff(publisher.nackBackoff())
        .failUnroutable(publisher.failUnroutable())
        .build();
  }

  /** Runs {@code build}, naming the property in a failure that names a RabbitMQ setting. */
  private static void named(Runnable build) {
    try {
      build.run();
    } catch (EventBusConfigurationException e) {
      String message = String.valueOf(e.getMessage());
      for (Map.Entry<String, String> setting : PROPERTIES.entrySet()) {
        if (message.startsWith(setting.getKey())) {
          throw new EventBusConfigurationException(
              setting.getValue(), setting.getValue() + ": " + message);
        }
      }
      throw e;
    }
  }
}
