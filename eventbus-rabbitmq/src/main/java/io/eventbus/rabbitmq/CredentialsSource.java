package io.eventbus.rabbitmq;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the transport gets the user name and password (or token) it connects with, so that they can
 * change while it runs: a password file that a secrets agent rewrites, a token from an OAuth 2.0
 * endpoint ({@link OAuth2ClientCredentials}), or your own lookup.
 *
 * <pre>{@code
 * RabbitTransport.builder()
 *     .uri("amqps://broker.example:5671/orders")        // no user info in the URI
 *     .credentials(CredentialsSource.passwordFile("orders", Path.of("/run/secrets/rabbitmq")))
 *     .build();
 * }</pre>
 *
 * <h2>When it is asked</h2>
 *
 * <ul>
 *   <li>Credentials without an expiry ({@link Credentials#expiresAt()} null) are fetched anew for
 *       every connection the transport opens: the first ones, and every reconnection after a loss.
 *       Open connections keep working when a password changes on the broker (RabbitMQ checks it
 *       only when a connection opens), and the next connection uses the new one.
 *   <li>Credentials with an expiry are reused until 80% of their lifetime has passed. Then they are
 *       fetched again in the background and handed to every open connection (AMQP {@code
 *       connection.update-secret}), which the broker's OAuth 2.0 backend needs before the old token
 *       expires; a connection opened later is given the new ones. If fetching fails, it is tried
 *       again after 1 s, 2 s, … up to 30 s, with a warning each time.
 * </ul>
 *
 * <h2>Thread safety</h2>
 *
 * {@link #fetch()} may be called from several threads (the transport's two connections, the
 * background refresher); implementations must be thread-safe. It may block (a file read, an HTTP
 * call) and should return within the connection timeout.
 *
 * <h2>Failures</h2>
 *
 * {@link #fetch()} throws an unchecked exception when it has nothing to give; the connection
 * attempt then fails and is retried with the transport's back-off. Its message must not contain the
 * secret.
 */
@FunctionalInterface
public interface CredentialsSource {
  /** The credentials to use now. */
  Credentials fetch();

  /** Always the same credentials. */
  static CredentialsSource of(Credentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    return () -> credentials;
  }

  /**
   * {@code username} with the password read from {@code file} (UTF-8; a trailing line break is
   * ignored) each time credentials are needed: when the file is rewritten with a new password, the
   * next connection uses it.
   *
   * @throws EventBusConfigurationException if the file cannot be read now
   */
  static CredentialsSource passwordFile(String username, Path file) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(file, "file");
    CredentialsSource source =
        () -> {
          String password;
          try {
            password = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
          } catch (IOException e) {
            throw new EventBusException(
                "The password file " + file + " cannot be read: " + e.getClass().getSimpleName());
          }
          if (password.isEmpty()) {
            throw new EventBusException("The password file " + file + " is empty");
          }
          return Credentials.of(username, password);
        };
    try {
      source.fetch();
    } catch (EventBusException e) {
      throw new EventBusConfigurationException(
          "CredentialsSource.passwordFile", "CredentialsSource.passwordFile: " + e.getMessage());
    }
    return source;
  }
}
