package io.eventbus.rabbitmq.internal.security;

import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.rabbitmq.TlsVerificationException;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Puts TLS and a credentials source on an amqp-client {@link ConnectionFactory} that already has
 * its URI, and turns failed connections into typed exceptions. This is all the transport's builder
 * needs to call; it knows nothing else of TLS or credentials.
 */
public final class ConnectionSecurity {
  private ConnectionSecurity() {}

  /**
   * For an {@code amqps://} {@code uri}: connect with {@code tls} (the JDK's trust store if null),
   * checking the certificate and the host name unless {@code tls} trusts all. With a {@code
   * credentials} source: ask it for the user name and password, instead of the URI.
   *
   * @throws EventBusConfigurationException if {@code tls} is given for an {@code amqp://} URI, or
   *     credentials are given both in the URI and as a source
   */
  public static void configure(
      ConnectionFactory factory,
      URI uri,
      @Nullable TlsSettings tls,
      @Nullable CredentialsSource credentials) {
    boolean amqps = "amqps".equalsIgnoreCase(uri.getScheme());
    if (tls != null && !amqps) {
      throw new EventBusConfigurationException(
          "tls: TLS settings were given but the URI is amqp://; use amqps:// (port 5671 by"
              + " default)");
    }
    if (amqps) {
      // amqp-client 5.37 already verifies for amqps:// URIs (older clients trusted everything);
      // setting the context explicitly keeps that true whatever the client version does.
      factory.useSslProtocol((tls != null ? tls : TlsSettings.defaults()).sslContext());
      factory.setSocketConfigurator(
          factory.getSocketConfigurator().andThen(socket -> ClientCertificateProbe.reset()));
    }
    if (credentials != null) {
      if (uri.getRawUserInfo() != null) {
        throw new EventBusConfigurationException(
            "credentials: a CredentialsSource was given and the URI has user info too; remove"
                + " one of them");
      }
      factory.setCredentialsProvider(new SourceCredentialsProvider(credentials, Clock.systemUTC()));
      factory.setCredentialsRefreshService(new CredentialsRefresher());
    }
  }

  /**
   * The exception for a first connection to {@code where} that failed with {@code e}: a {@link
   * TlsVerificationException} when TLS verification failed, an {@link EventBusException} otherwise.
   */
  public static EventBusException connectFailure(String where, Throwable e) {
    if (e instanceof EventBusException bus) {
      return bus;
    }
    Optional<TlsFailures.Failure> tls =
        TlsFailures.classify(e, ClientCertificateProbe.lastRequest());
    if (tls.isPresent()) {
      return new TlsVerificationException(tls.get().reason(), where, tls.get().detail(), e);
    }
    return new EventBusException("Could not connect to " + where + ": " + e.getMessage(), e);
  }
}
