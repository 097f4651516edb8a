package io.eventbus.rabbitmq.internal.security;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.TlsSettings;
import io.eventbus.rabbitmq.TlsVerificationException;
import io.eventbus.rabbitmq.internal.Exceptions;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Puts TLS and a credentials source on an amqp-client {@link ConnectionFactory} that already has
 * its URI, and turns failed connections into typed exceptions. This is all the transport needs to
 * call; it knows nothing else of TLS or credentials.
 */
public final class ConnectionSecurity {
  private ConnectionSecurity() {}

  /**
   * Checks that {@code tls} and {@code credentials} fit {@code uri}, naming the settings with
   * {@code prefix} ({@code RabbitTransport.Builder.}).
   *
   * @throws EventBusConfigurationException if {@code tls} is given for an {@code amqp://} URI, or
   *     credentials are given both in the URI and as a source
   */
  public static void check(
      URI uri, @Nullable TlsSettings tls, @Nullable CredentialsSource credentials, String prefix) {
    if (tls != null && !amqps(uri)) {
      throw new EventBusConfigurationException(
          prefix + "tls",
          prefix
              + "tls: TLS settings were given but the URI is "
              + uri.getScheme()
              + "://; use amqps:// (port 5671 by default)");
    }
    if (credentials != null && uri.getRawUserInfo() != null) {
      throw new EventBusConfigurationException(
          prefix + "credentials",
          prefix
              + "credentials: a CredentialsSource was given and the URI has user info too; remove"
              + " one of them");
    }
  }

  /**
   * For an {@code amqps://} {@code uri}: connect with {@code tls} (the JDK's trust store if null),
   * checking the certificate and the host name unless {@code tls} trusts all. With a {@code
   * credentials} source: ask it for the user name and password, instead of the URI.
   *
   * @throws EventBusConfigurationException as {@link #check} does
   */
  public static void configure(
      ConnectionFactory factory,
      URI uri,
      @Nullable TlsSettings tls,
      @Nullable CredentialsSource credentials) {
    check(uri, tls, credentials, "");
    if (amqps(uri)) {
      // amqp-client 5.37 already verifies for amqps:// URIs (older clients trusted everything);
      // setting the context explicitly keeps that true whatever the client version does.
      factory.useSslProtocol((tls != null ? tls : TlsSettings.defaults()).sslContext());
      factory.setSocketConfigurator(
          factory.getSocketConfigurator().andThen(socket -> ClientCertificateProbe.reset()));
    }
    if (credentials != null) {
      factory.setCredentialsProvider(new SourceCredentialsProvider(credentials, Clock.systemUTC()));
      factory.setCredentialsRefreshService(new CredentialsRefresher());
    }
  }

  private static boolean amqps(URI uri) {
    return "amqps".equalsIgnoreCase(uri.getScheme());
  }

  /**
   * The exception for a connection to {@code where} that failed with {@code e}: a {@link
   * TlsVerificationException} when TLS verification failed, an {@link EventBusException} otherwise.
   * Must be called on the thread that tried to connect (what the broker asked for in the handshake
   * is remembered per thread).
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
    return Exceptions.connectFailure(where, e);
  }

  /**
   * Whether {@code failure} (from {@link #connectFailure}) is one that trying again cannot mend:
   * the broker refused the credentials, or TLS verification failed. Such failures of a reconnection
   * are worth a warning; a broker that does not answer yet is not.
   */
  public static boolean needsAction(EventBusException failure) {
    if (failure instanceof TlsVerificationException) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationFailureException) {
        return true;
      }
    }
    return false;
  }
}
