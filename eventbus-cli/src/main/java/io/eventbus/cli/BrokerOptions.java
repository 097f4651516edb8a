package io.eventbus.cli;

import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the broker is and how to log in: shared by every command. Secrets come from files or the
 * environment, never from an option's value, so that they do not show in the process list or the
 * shell's history.
 */
final class BrokerOptions {
  @Option(
      names = "--uri",
      paramLabel = "URI",
      defaultValue = "${env:EVENTBUS_URI:-amqp://localhost:5672}",
      description =
          "The broker, amqp:// or amqps:// (default: $EVENTBUS_URI, else ${DEFAULT-VALUE})."
              + " Put no password here; use --password-file.")
  String uri;

  @Option(
      names = "--username",
      paramLabel = "NAME",
      defaultValue = "${env:EVENTBUS_USERNAME}",
      description = "The user to log in as (default: $EVENTBUS_USERNAME), with --password-file.")
  @Nullable String username;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      defaultValue = "${env:EVENTBUS_PASSWORD_FILE}",
      description =
          "A file holding the password (default: $EVENTBUS_PASSWORD_FILE); read for every"
              + " connection.")
  @Nullable Path passwordFile;

  @Option(
      names = "--exchange",
      paramLabel = "NAME",
      defaultValue = "eventbus",
      description = "The bus's exchange (default: ${DEFAULT-VALUE}).")
  String exchange;

  @Option(
      names = "--dead-letter-suffix",
      paramLabel = "SUFFIX",
      defaultValue = ".dlq",
      description = "The dead-letter queue suffix (default: ${DEFAULT-VALUE}).")
  String deadLetterSuffix;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "4",
      description = "Partition queues of a partitioned subscription (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--management-url",
      paramLabel = "URL",
      defaultValue = "${env:EVENTBUS_MANAGEMENT_URL}",
      description =
          "The broker's management HTTP API, such as http://localhost:15672 (default:"
              + " $EVENTBUS_MANAGEMENT_URL). Lets `list` find the subscriptions and show unacked,"
              + " retrying and oldest-ready figures.")
  @Nullable URI managementUrl;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "Trust the certificates in this PEM file instead of the JDK's (amqps://).")
  @Nullable Path tlsCa;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description = "A PKCS#12 or JKS key store with the client certificate (mutual TLS).")
  @Nullable Path tlsKeyStore;

  @Option(
      names = "--tls-keystore-password-file",
      paramLabel = "FILE",
      description = "A file holding the key store's password.")
  @Nullable Path tlsKeyStorePasswordFile;

  @Option(
      names = "--tls-insecure-trust-all",
      description =
          "INSECURE: accept any broker certificate and host name (a warning is printed at every"
              + " connection). For a throwaway test broker only.")
  boolean tlsInsecureTrustAll;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Durations.Converter.class,
      description = "How long to wait for the broker at each step (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  RabbitTopology topology() {
    try {
      return RabbitTopology.defaults()
          .withExchange(exchange)
          .withDeadLetterSuffix(deadLetterSuffix)
          .withPartitions(partitions);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** The credentials from --username and --password-file, or null to use the URI's. */
  @Nullable CredentialsSource credentials() {
    if (passwordFile == null && username == null) {
      return null;
    }
    if (passwordFile == null || username == null) {
      throw new CliException(ExitCodes.USAGE, "--username and --password-file go together");
    }
    return CredentialsSource.passwordFile(username, passwordFile);
  }

  /** The TLS settings from the --tls-* options, or null for the defaults. */
  @Nullable TlsSettings tls() {
    if (tlsCa == null && tlsKeyStore == null && !tlsInsecureTrustAll) {
      return null;
    }
    if (!uri.regionMatches(true, 0, "amqps://", 0, "amqps://".length())) {
      throw new CliException(
          ExitCodes.USAGE,
          "--tls-ca, --tls-keystore and --tls-insecure-trust-all need an amqps:// URI (port 5671"
              + " by default)");
    }
    TlsSettings.Builder tls = TlsSettings.builder();
    if (tlsCa != null) {
      tls.trustedCertificates(tlsCa);
    }
    if (tlsKeyStore != null) {
      if (tlsKeyStorePasswordFile == null) {
        throw new CliException(
            ExitCodes.USAGE, "--tls-keystore needs --tls-keystore-password-file");
      }
      tls.keyStore(tlsKeyStore, secret(tlsKeyStorePasswordFile).toCharArray());
    }
    if (tlsInsecureTrustAll) {
      tls.insecureTrustAllCertificates();
    }
    return tls.build();
  }

  /**
   * The user and password for the management API: those of --username and --password-file, or of
   * the URI, or guest/guest as for AMQP.
   */
  String[] managementCredentials() {
    if (username != null && passwordFile != null) {
      return new String[] {username, secret(passwordFile)};
    }
    String userInfo = URI.create(uri).getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      return colon < 0
          ? new String[] {userInfo, ""}
          : new String[] {userInfo.substring(0, colon), userInfo.substring(colon + 1)};
    }
    return new String[] {"guest", "guest"};
  }

  /** The first line of a secret file. */
  static String secret(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.USAGE, "Cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }
}
