package io.eventbus.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.rabbitmq.TlsVerificationException;
import io.eventbus.rabbitmq.internal.Redaction;
import io.eventbus.rabbitmq.internal.security.ConnectionSecurity;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One command's connections to the broker, opened when first needed: a {@link RabbitTransport} for
 * the dead-letter tools, and a plain amqp-client connection for passive declares (queue depths and
 * consumers), made with the same TLS and credentials rules. Closed when the command ends.
 */
final class Session implements AutoCloseable {
  private final BrokerOptions options;
  private final URI uri;
  private final RabbitTopology topology;
  private final @Nullable TlsSettings tls;
  private final @Nullable CredentialsSource credentials;
  private @Nullable RabbitTransport transport;
  private @Nullable Connection connection;

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
    return Redaction.uri(uri);
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
                .publishTimeout(options.timeout)
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

  private Connection connection() {
    if (connection == null) {
      ConnectionFactory factory = new ConnectionFactory();
      try {
        factory.setUri(uri);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout((int) options.timeout.toMillis());
        factory.setHandshakeTimeout((int) options.timeout.toMillis());
        factory.setChannelRpcTimeout((int) options.timeout.toMillis());
        ConnectionSecurity.configure(factory, uri, tls, credentials);
        connection = factory.newConnection("eventbus-cli-inspect");
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--uri is not a valid AMQP URI: " + where());
      } catch (EventBusConfigurationException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      } catch (IOException | TimeoutException | RuntimeException e) {
        throw connectionFailure(ConnectionSecurity.connectFailure(where(), e));
      }
    }
    return connection;
  }

  private CliException connectionFailure(EventBusException e) {
    String message = e.getMessage();
    if (e instanceof TlsVerificationException tlsFailure) {
      message += " [" + tlsFailure.reason() + "]";
    }
    return new CliException(ExitCodes.CONNECTION, message, e);
  }

  /** A queue's ready messages and consumers, or empty if it does not exist. */
  Optional<QueueFigures> figures(String queue) {
    Channel channel;
    try {
      channel = connection().createChannel();
    } catch (IOException e) {
      throw new CliException(ExitCodes.CONNECTION, "Cannot open a channel: " + e.getMessage(), e);
    }
    try {
      AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
      return Optional.of(new QueueFigures(queue, ok.getMessageCount(), ok.getConsumerCount()));
    } catch (IOException e) {
      if (notFound(e)) {
        return Optional.empty();
      }
      throw new CliException(
          ExitCodes.CONNECTION, "Cannot read queue " + queue + ": " + e.getMessage(), e);
    } finally {
      try {
        if (channel.isOpen()) {
          channel.close();
        }
      } catch (IOException | TimeoutException | RuntimeException ignored) {
        // the broker closed it
      }
    }
  }

  private static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException shutdown
          && shutdown.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == 404) {
        return true;
      }
    }
    return false;
  }

  /** The figures a passive declare gives. */
  record QueueFigures(String queue, long ready, long consumers) {}

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close((int) options.timeout.toMillis());
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      }
    }
    if (transport != null) {
      transport.close();
    }
  }
}
