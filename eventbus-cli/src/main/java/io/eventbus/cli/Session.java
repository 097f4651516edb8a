package io.eventbus.cli;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.AmqpUris;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.QueueStatus;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.rabbitmq.TlsVerificationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One command's connection to the broker: a {@link RabbitTransport}, opened when first needed and
 * closed when the command ends, configured only through its public builder (TLS through {@link
 * TlsSettings}, credentials through {@link CredentialsSource}), so that the tool connects, verifies
 * and fails exactly as an application does. Queue depths and consumers come from {@link
 * RabbitTransport#queueStatus}, the dead-letter tools from {@link RabbitTransport#deadLetters}.
 *
 * <p>Building the transport declares the bus's exchange ({@code --exchange}) if it is missing, as
 * every application's transport does.
 */
final class Session implements AutoCloseable {
  private final BrokerOptions options;
  private final URI uri;
  private final RabbitTopology topology;
  private final @Nullable TlsSettings tls;
  private final @Nullable CredentialsSource credentials;
  private @Nullable RabbitTransport transport;

  Session(BrokerOptions options) {
    this.options = options;
    try {
      this.uri = new URI(options.uri);
    } catch (URISyntaxException e) {
      throw new CliException(ExitCodes.USAGE, "--uri is not a URI: " + where(options.uri));
    }
    this.topology = options.topology();
    try {
      this.tls = options.tls();
      this.credentials = options.credentials();
    } catch (EventBusConfigurationException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** The broker's URI without its password, for messages. */
  String where() {
    return where(options.uri);
  }

  private static String where(String uri) {
    return AmqpUris.redact(uri);
  }

  RabbitTopology topology() {
    return topology;
  }

  BrokerOptions options() {
    return options;
  }

  /** The virtual host of the URI ({@code /} when it names none). */
  String virtualHost() {
    String path = uri.getPath();
    return path == null || path.isEmpty() || "/".equals(path) ? "/" : path.substring(1);
  }

  /**
   * The dead-letter tools of {@code subscription}.
   *
   * @throws CliException (nothing matched) if its dead-letter queue does not exist
   */
  RabbitDeadLetters deadLetters(String subscription) {
    String queue = topology.deadLetterQueue(subscription);
    if (figures(queue).isEmpty()) {
      throw new CliException(
          ExitCodes.NOTHING_MATCHED,
          "There is no dead-letter queue "
              + queue
              + " in virtual host "
              + virtualHost()
              + ": check the subscription's name (and --dead-letter-suffix)");
    }
    return transport().deadLetters(subscription);
  }

  private RabbitTransport transport() {
    if (transport == null) {
      try {
        RabbitTransport.Builder builder =
            RabbitTransport.builder()
                .uri(options.uri)
                .connectionName("eventbus-cli")
                .topology(topology)
                .connectTimeout(options.timeout)
                .publisher(PublisherSettings.defaults().withTimeout(options.timeout))
                .shutdownTimeout(options.timeout);
        if (tls != null) {
          builder.tls(tls);
        }
        if (credentials != null) {
          builder.credentials(credentials);
        }
        transport = builder.build();
      } catch (EventBusConfigurationException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      } catch (EventBusException e) {
        throw connectionFailure(e);
      }
    }
    return transport;
  }

  private CliException connectionFailure(EventBusException e) {
    String message = e.getMessage();
    if (e instanceof TlsVerificationException tlsFailure) {
      message += " [" + tlsFailure.reason() + "]";
    }
    return new CliException(ExitCodes.CONNECTION, message, e);
  }

  /** A queue's ready messages and consumers, or empty if it does not exist. */
  Optional<QueueStatus> figures(String queue) {
    RabbitTransport connected = transport();
    try {
      return connected.queueStatus(queue);
    } catch (EventBusException e) {
      throw new CliException(
          ExitCodes.CONNECTION, "Cannot read queue " + queue + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (transport != null) {
      transport.close();
    }
  }
}
