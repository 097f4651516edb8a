package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The transport's connection settings as {@code RabbitTransport.Builder} collected them: an
 * immutable value, validated once when it is made, from which the amqp-client factory and the
 * broker addresses are derived. Its {@link #toString()} never shows a password.
 *
 * <p>Setting names in failures are the builder's ({@code uri}, {@code heartbeat}, …), since that is
 * where users set them.
 *
 * @param uris the brokers to try, in order; credentials, virtual host and TLS come from the first
 * @param connectionName the name both connections show, suffixed with {@code -publish} and {@code
 *     -consume}
 * @param connectTimeout how long connecting to one broker, its handshake and each channel call may
 *     take
 * @param heartbeat the heartbeat interval requested from the broker (whole seconds, at least 1)
 * @param recoveryInterval the longest wait between two reconnection attempts
 * @param shutdownTimeout how long close waits for handlers and confirms
 * @param healthCheckInterval how often queue depths are sampled for health
 * @param maxInboundMessageBytes the largest body a consumer accepts; a larger delivery is parked as
 *     {@code too-large} without being decoded (1 KiB to {@value #MAX_INBOUND_LIMIT})
 * @param tls the TLS settings for an {@code amqps} first URI, or null for the JDK's defaults
 * @param credentials where user name and password come from, or null for the first URI's
 */
public record ConnectionSettings(
    List<String> uris,
    String connectionName,
    Duration connectTimeout,
    Duration heartbeat,
    Duration recoveryInterval,
    Duration shutdownTimeout,
    Duration healthCheckInterval,
    int maxInboundMessageBytes,
    @Nullable TlsSettings tls,
    @Nullable CredentialsSource credentials) {
  private static final String PREFIX = "RabbitTransport.Builder.";

  /** The largest {@link #maxInboundMessageBytes()}: 128 MiB, RabbitMQ 3.x's default maximum. */
  public static final int MAX_INBOUND_LIMIT = 128 * 1024 * 1024;

  /**
   * amqp-client's own inbound limit, above the largest body any RabbitMQ broker accepts ({@code
   * max_message_size} is at most 512 MiB): a larger delivery would make amqp-client close the whole
   * connection, the message would return to its queue, and every reconnect would meet it again (and
   * requeue the innocent deliveries in flight with it). Set this high, no delivery can close the
   * connection; our own, lower {@link #maxInboundMessageBytes()} parks the large ones.
   */
  static final int CLIENT_INBOUND_LIMIT = 512 * 1024 * 1024 + 1024;

  /** The AMQP heartbeat is an unsigned short number of seconds. */
  private static final long MAX_HEARTBEAT_SECONDS = 65_535;

  /**
   * Validates every setting.
   *
   * @throws EventBusConfigurationException naming the first invalid setting
   */
  public ConnectionSettings {
    uris = List.copyOf(Objects.requireNonNull(uris, "uris"));
    Objects.requireNonNull(connectionName, "connectionName");
    if (uris.isEmpty()) {
      throw new EventBusConfigurationException(PREFIX + "uri: at least one broker is needed");
    }
    uris.forEach(ConnectionSettings::parse);
    SettingChecks.positive(connectTimeout, PREFIX + "connectTimeout");
    if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new EventBusConfigurationException(
          PREFIX
              + "connectTimeout must be at most "
              + Integer.MAX_VALUE
              + " ms, was "
              + connectTimeout);
    }
    SettingChecks.positive(heartbeat, PREFIX + "heartbeat");
    if (heartbeat.toSeconds() > MAX_HEARTBEAT_SECONDS) {
      throw new EventBusConfigurationException(
          PREFIX + "heartbeat must be at most " + MAX_HEARTBEAT_SECONDS + " s, was " + heartbeat);
    }
    SettingChecks.positive(recoveryInterval, PREFIX + "recoveryInterval");
    SettingChecks.positive(shutdownTimeout, PREFIX + "shutdownTimeout");
    SettingChecks.positive(healthCheckInterval, PREFIX + "healthCheckInterval");
    SettingChecks.between(
        maxInboundMessageBytes, 1024, MAX_INBOUND_LIMIT, PREFIX + "maxInboundMessageBytes");
    ConnectionSecurity.check(parse(uris.get(0)), tls, credentials, PREFIX);
  }

  private static URI parse(String uri) {
    try {
      URI parsed = new URI(uri);
      if (!"amqp".equals(parsed.getScheme()) && !"amqps".equals(parsed.getScheme())) {
        throw new EventBusConfigurationException(
            PREFIX + "uri: not an AMQP URI: " + Redaction.uri(uri) + " (use amqp:// or amqps://)");
      }
      String path = parsed.getRawPath();
      if (path != null && path.length() > 1 && path.indexOf('/', 1) >= 0) {
        throw new EventBusConfigurationException(
            PREFIX
                + "uri: the path of an AMQP URI is the virtual host, a single segment, but "
                + Redaction.uri(uri)
                + " has several (write a '/' inside the virtual host's name as %2F)");
      }
      if (parsed.getPort() > 65_535) {
        throw new EventBusConfigurationException(
            PREFIX + "uri: port out of range in " + Redaction.uri(uri));
      }
      return parsed;
    } catch (URISyntaxException e) {
      throw new EventBusConfigurationException(
          PREFIX + "uri: invalid AMQP URI: " + Redaction.uri(uri));
    }
  }

  /**
   * An amqp-client factory for the first URI (credentials, virtual host, TLS), with the client's
   * automatic recovery off (the transport owns recovery), the timeouts and heartbeat set, and the
   * TLS settings and credentials source installed ({@link ConnectionSecurity#configure}).
   *
   * @throws EventBusConfigurationException if TLS for an {@code amqps} URI cannot be set up
   */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    URI first = parse(uris.get(0));
    try {
      factory.setUri(first);
    } catch (IllegalArgumentException e) {
      throw new EventBusConfigurationException(
          PREFIX
              + "uri: invalid AMQP URI "
              + Redaction.uri(first.toString())
              + ": "
              + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new EventBusConfigurationException(
          PREFIX
              + "uri: invalid AMQP URI "
              + Redaction.uri(first.toString())
              + ": "
              + e.getMessage());
    }
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    factory.setConnectionTimeout((int) connectTimeout.toMillis());
    factory.setHandshakeTimeout((int) connectTimeout.toMillis());
    factory.setChannelRpcTimeout((int) connectTimeout.toMillis());
    factory.setRequestedHeartbeat((int) Math.max(1, heartbeat.toSeconds()));
    factory.setMaxInboundMessageBodySize(CLIENT_INBOUND_LIMIT);
    ConnectionSecurity.configure(factory, first, tls, credentials);
    return factory;
  }

  /** The host and port of every URI, in order (port 5672, or 5671 for {@code amqps}, if unset). */
  public List<Address> addresses() {
    List<Address> addresses = new ArrayList<>();
    for (String uri : uris) {
      URI parsed = parse(uri);
      boolean tls = "amqps".equals(parsed.getScheme());
      int port = parsed.getPort() != -1 ? parsed.getPort() : tls ? 5671 : 5672;
      addresses.add(new Address(parsed.getHost() == null ? "localhost" : parsed.getHost(), port));
    }
    return addresses;
  }

  /** The URIs without their passwords, comma-separated, for logs and messages. */
  public String redactedUris() {
    return String.join(", ", uris.stream().map(Redaction::uri).toList());
  }

  @Override
  public String toString() {
    return "ConnectionSettings[uris="
        + redactedUris()
        + ", connectionName="
        + connectionName
        + ", connectTimeout="
        + connectTimeout
        + ", heartbeat="
        + heartbeat
        + ", recoveryInterval="
        + recoveryInterval
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", healthCheckInterval="
        + healthCheckInterval
        + ", maxInboundMessageBytes="
        + maxInboundMessageBytes
        + ", tls="
        + (tls == null ? "defaults" : tls)
        + ", credentials="
        + (credentials == null ? "from the URI" : "from a CredentialsSource")
        + "]";
  }
}
