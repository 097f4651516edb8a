package io.eventbus.rabbitmq;

import java.net.URI;
import java.nio.file.Path;

/**
 * The examples docs/operations.md quotes, between the {@code tag::}/{@code end::} comments. The
 * security ITs connect through them, so they compile and work against a real broker.
 */
final class OperationsExamples {
  private OperationsExamples() {}

  // tag::tls[]
  /** Mutual TLS: trust the broker's CA (PEM) and show a client certificate (PKCS#12). */
  static RabbitTransport mutualTls(
      String amqpsUri, Path caPem, Path clientKeyStore, char[] keyStorePassword) {
    TlsSettings tls =
        TlsSettings.builder()
            .trustedCertificates(caPem) // the broker's ssl_options.cacertfile
            .keyStore(clientKeyStore, keyStorePassword) // for ssl_options.verify = verify_peer
            .build();
    return RabbitTransport.builder()
        .uri(amqpsUri) // amqps://broker.example:5671, the name its certificate holds
        .tls(tls)
        .build(); // TlsVerificationException with a Reason when a check fails
  }

  // end::tls[]

  // tag::password-file[]
  /** A password that a secrets agent rewrites in a file: read again for every new connection. */
  static RabbitTransport rotatingPassword(String amqpUri, String username, Path passwordFile) {
    return RabbitTransport.builder()
        .uri(amqpUri) // no user info in the URI
        .credentials(CredentialsSource.passwordFile(username, passwordFile))
        .build();
  }

  // end::password-file[]

  // tag::oauth2[]
  /** Tokens from an OAuth 2.0 endpoint, renewed on the open connections before they expire. */
  static RabbitTransport oauth2(
      String amqpUri, URI tokenEndpoint, String clientId, String clientSecret) {
    return RabbitTransport.builder()
        .uri(amqpUri)
        .credentials(
            OAuth2ClientCredentials.builder(tokenEndpoint)
                .clientId(clientId)
                .clientSecret(clientSecret)
                .build())
        .build();
  }
  // end::oauth2[]
}
