package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.Credentials;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.spring.boot.RabbitTransportCustomizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.unit.DataSize;

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
          Map.entry("PublisherSettings.nackBackoff", PREFIX + "publisher.nack-backoff"),
          Map.entry("PublisherSettings.maxMessageBytes", PREFIX + "publisher.max-message-bytes"),
          Map.entry(
              "RabbitTransport.Builder.maxInboundMessageBytes",
              PREFIX + "max-inbound-message-bytes"),
          Map.entry("RabbitTransport.Builder.tls", PREFIX + "ssl"),
          Map.entry(
              "RabbitTransport.Builder.credentials",
              PREFIX + "username/password/password-file (or the CredentialsSource bean)"));

  private RabbitTransports() {}

  /**
   * A builder holding the properties' settings.
   *
   * @throws EventBusConfigurationException naming the property whose value is invalid
   */
  static RabbitTransport.Builder builder(
      EventBusProperties.Rabbitmq rabbit, String defaultConnectionName) {
    return builder(rabbit, defaultConnectionName, null, null);
  }

  /**
   * A builder holding the properties' settings, TLS from the SSL bundle they name (looked up in
   * {@code bundles}), and the credentials of {@code credentials} (a {@link CredentialsSource} bean)
   * or of the properties.
   *
   * @throws EventBusConfigurationException naming the property whose value is invalid
   */
  static RabbitTransport.Builder builder(
      EventBusProperties.Rabbitmq rabbit,
      String defaultConnectionName,
      @Nullable SslBundles bundles,
      @Nullable CredentialsSource credentials) {
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
        .shutdownTimeout(rabbit.shutdownTimeout())
        .maxInboundMessageBytes(
            bytes(rabbit.maxInboundMessageBytes(), PREFIX + "max-inbound-message-bytes"));
    TlsSettings tls = tls(rabbit.ssl(), bundles);
    if (tls != null) {
      builder.tls(tls);
    }
    CredentialsSource source = credentials(rabbit, credentials);
    if (source != null) {
      builder.credentials(source);
    }
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
      List<RabbitTransportCustomizer> customizers,
      @Nullable SslBundles bundles,
      @Nullable CredentialsSource credentials) {
    RabbitTransport.Builder builder = builder(rabbit, defaultConnectionName, bundles, credentials);
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
        .acceptUnroutable(publisher.acceptUnroutable())
        .maxMessageBytes(bytes(publisher.maxMessageBytes(), PREFIX + "publisher.max-message-bytes"))
        .build();
  }

  /** {@code size} in bytes, which the RabbitMQ module takes as an {@code int}. */
  private static int bytes(DataSize size, String property) {
    long bytes = size.toBytes();
    if (bytes > Integer.MAX_VALUE || bytes < 0) {
      throw new EventBusConfigurationException(
          property, property + ": must be between 0B and 2GB, was " + size);
    }
    return (int) bytes;
  }

  /** The TLS settings the properties ask for, or null for the transport's defaults. */
  private static @Nullable TlsSettings tls(
      EventBusProperties.Ssl ssl, @Nullable SslBundles bundles) {
    String property = PREFIX + "ssl.bundle";
    if (ssl.insecureTrustAllCertificates()) {
      if (ssl.bundle() != null) {
        throw new EventBusConfigurationException(
            PREFIX + "ssl.insecure-trust-all-certificates",
            PREFIX
                + "ssl.insecure-trust-all-certificates trusts every certificate; the trust store of "
                + property
                + " would be ignored: set one of them");
      }
      return TlsSettings.builder().insecureTrustAllCertificates().build();
    }
    if (ssl.bundle() == null) {
      return null;
    }
    if (bundles == null) {
      throw new EventBusConfigurationException(
          property,
          property
              + ": there is no SslBundles bean (Spring Boot's SslAutoConfiguration makes one from"
              + " spring.ssl.bundle.*)");
    }
    SslBundle bundle;
    try {
      bundle = bundles.getBundle(ssl.bundle());
    } catch (NoSuchSslBundleException e) {
      throw new EventBusConfigurationException(
          property,
          property
              + ": there is no SSL bundle '"
              + ssl.bundle()
              + "'; define it under spring.ssl.bundle.jks."
              + ssl.bundle()
              + " or spring.ssl.bundle.pem."
              + ssl.bundle());
    } catch (RuntimeException e) {
      // A store that cannot be read; Spring's message names the file, never its password.
      throw new EventBusConfigurationException(
          property, property + ": SSL bundle '" + ssl.bundle() + "' cannot be loaded: " + e);
    }
    if (bundle.getOptions().isSpecified()) {
      throw new EventBusConfigurationException(
          property,
          property
              + ": SSL bundle '"
              + ssl.bundle()
              + "' sets options.ciphers or options.enabled-protocols, which eventbus does not"
              + " apply; remove them (use the bundle's protocol to choose a TLS version)");
    }
    return named(
        property, () -> TlsSettings.builder().sslContext(bundle.createSslContext()).build());
  }

  /**
   * The credentials source: the application's bean, or one from the properties, or null for the
   * URI's user info.
   */
  private static @Nullable CredentialsSource credentials(
      EventBusProperties.Rabbitmq rabbit, @Nullable CredentialsSource bean) {
    boolean configured =
        rabbit.username() != null || rabbit.password() != null || rabbit.passwordFile() != null;
    if (bean != null) {
      if (configured) {
        throw new EventBusConfigurationException(
            PREFIX + "username",
            PREFIX
                + "username, password and password-file cannot be combined with a CredentialsSource"
                + " bean, which gives the credentials; remove one or the other");
      }
      return bean;
    }
    if (!configured) {
      return null;
    }
    String username = rabbit.username();
    if (username == null || username.isEmpty()) {
      throw new EventBusConfigurationException(
          PREFIX + "username",
          PREFIX + "username is needed with " + PREFIX + "password or password-file");
    }
    if (rabbit.password() != null && rabbit.passwordFile() != null) {
      throw new EventBusConfigurationException(
          PREFIX + "password-file",
          PREFIX + "password and password-file cannot be combined; set one of them");
    }
    if (rabbit.passwordFile() != null) {
      return named(
          PREFIX + "password-file",
          () -> CredentialsSource.passwordFile(username, Path.of(rabbit.passwordFile())));
    }
    if (rabbit.password() == null) {
      throw new EventBusConfigurationException(
          PREFIX + "password",
          PREFIX + "username needs " + PREFIX + "password or " + PREFIX + "password-file");
    }
    return CredentialsSource.of(Credentials.of(username, rabbit.password()));
  }

  /** Runs {@code build}, reporting a failure to build under {@code property}. */
  private static <T> T named(String property, Supplier<T> build) {
    try {
      return build.get();
    } catch (EventBusConfigurationException e) {
      throw new EventBusConfigurationException(property, property + ": " + e.getMessage());
    }
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
