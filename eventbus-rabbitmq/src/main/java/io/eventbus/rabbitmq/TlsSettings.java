package io.eventbus.rabbitmq;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.internal.security.ClientCertificateProbe;
import io.eventbus.rabbitmq.internal.security.TrustAllCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * How the transport talks TLS to the broker (an {@code amqps://} URI): whom it trusts, which client
 * certificate it shows, and whether it checks the broker's host name. Immutable; made by {@link
 * #builder()}, or {@link #defaults()}.
 *
 * <pre>{@code
 * TlsSettings tls = TlsSettings.builder()
 *     .trustedCertificates(Path.of("/etc/eventbus/ca.pem"))          // the broker's CA (PEM)
 *     .keyStore(Path.of("/etc/eventbus/client.p12"), keyStorePassword) // mutual TLS
 *     .build();
 * RabbitTransport.builder().uri("amqps://broker.example:5671").tls(tls).build();
 * }</pre>
 *
 * <p>Verification is on unless {@link Builder#insecureTrustAllCertificates()} is chosen: the
 * broker's certificate must chain to a trusted certificate, be within its validity period and name
 * the host of the URI (as a DNS name, or an IP address for a URI with an address). A failure is a
 * {@link TlsVerificationException} with its {@link TlsVerificationException.Reason}. Without any
 * setting, an {@code amqps://} URI trusts what the JDK trusts ({@link #defaults()}).
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; one value may serve many transports.
 *
 * <h2>Failures</h2>
 *
 * {@link Builder#build()} reads the stores and certificate files at once and throws {@link
 * EventBusConfigurationException} whose message starts with the setting's name ({@code
 * TlsSettings.Builder.keyStore}) and names the file when one cannot be read. Store passwords never
 * appear in messages or in {@link #toString()}.
 *
 * <h2>Lifecycle</h2>
 *
 * The value holds the {@link SSLContext} made from the files when it was built, not the files: a
 * certificate renewed on disk is read by building new settings (and a new transport). There is
 * therefore no {@code toBuilder()}: the builder's inputs (a store password among them) are not
 * kept.
 */
public final class TlsSettings {
  private static final String PREFIX = "TlsSettings.Builder.";
  private static final TlsSettings DEFAULTS = builder().build();

  private final SSLContext sslContext;
  private final boolean verifying;
  private final String description;

  private TlsSettings(SSLContext sslContext, boolean verifying, String description) {
    this.sslContext = sslContext;
    this.verifying = verifying;
    this.description = description;
  }

  /** A builder: JDK trust store, no client certificate, verification on. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the JDK trusts, no client certificate, verification on. */
  public static TlsSettings defaults() {
    return DEFAULTS;
  }

  /** The SSL context connections are made with. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Whether the broker's certificate and host name are checked: false only after {@link
   * Builder#insecureTrustAllCertificates()}.
   */
  public boolean verifying() {
    return verifying;
  }

  /** What is trusted and shown, without any password. */
  @Override
  public String toString() {
    return "TlsSettings[" + description + "]";
  }

  /** Collects the settings; {@link #build()} reads the files. Not thread-safe. */
  public static final class Builder {
    private @Nullable SSLContext sslContext;
    private @Nullable Path trustStore;
    private char @Nullable [] trustStorePassword;
    private @Nullable Path trustedCertificates;
    private @Nullable Path keyStore;
    private char @Nullable [] keyStorePassword;
    private boolean trustAll;
    private String protocol = "TLS";

    private Builder() {}

    /**
     * Connects with this context, as it is: whom it trusts and which client certificate it shows
     * are its own. The host name is still checked. Cannot be combined with the store settings.
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Trusts the certificates in this key store (PKCS#12 or JKS, detected from the file) instead of
     * the JDK's.
     */
    public Builder trustStore(Path trustStore, char[] password) {
      this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
      this.trustStorePassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /**
     * Trusts the certificates in this PEM file (one or more {@code BEGIN CERTIFICATE} blocks, such
     * as the CA file given to the broker as {@code ssl_options.cacertfile}) instead of the JDK's.
     */
    public Builder trustedCertificates(Path pemFile) {
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /**
     * Shows the client certificate and private key of this key store (PKCS#12 or JKS), for a broker
     * that verifies its peers ({@code ssl_options.verify = verify_peer}).
     */
    public Builder keyStore(Path keyStore, char[] password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /**
     * The {@link SSLContext} protocol, {@code TLS} by default (the newest the JDK and the broker
     * share: TLS 1.3 or 1.2).
     */
    public Builder protocol(String protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /**
     * INSECURE: accepts any certificate for any host name, so anyone between the client and the
     * broker can read and change the traffic and capture the credentials. Only for a throwaway test
     * broker; every connection then logs a warning saying so. A client certificate set with {@link
     * #keyStore} is still shown.
     */
    public Builder insecureTrustAllCertificates() {
      this.trustAll = true;
      return this;
    }

    /**
     * Reads the stores and files and makes the context.
     *
     * @throws EventBusConfigurationException naming the setting when a file cannot be read or the
     *     settings contradict each other
     */
    public TlsSettings build() {
      if (sslContext != null
          && (trustStore != null || trustedCertificates != null || keyStore != null || trustAll)) {
        throw new EventBusConfigurationException(
            PREFIX + "sslContext",
            PREFIX
                + "sslContext cannot be combined with trustStore, trustedCertificates, keyStore or"
                + " insecureTrustAllCertificates; put them into the SSLContext instead");
      }
      if (trustStore != null && trustedCertificates != null) {
        throw new EventBusConfigurationException(
            PREFIX + "trustedCertificates",
            PREFIX + "trustedCertificates cannot be combined with trustStore; choose one");
      }
      if (trustAll && (trustStore != null || trustedCertificates != null)) {
        throw new EventBusConfigurationException(
            PREFIX + "insecureTrustAllCertificates",
            PREFIX
                + "insecureTrustAllCertificates trusts everything; a trustStore or"
                + " trustedCertificates would be ignored");
      }
      if (sslContext != null) {
        return new TlsSettings(sslContext, true, "sslContext " + sslContext.getProtocol());
      }
      StringBuilder description = new StringBuilder();
      TrustManager[] trustManagers;
      if (trustAll) {
        trustManagers = new TrustManager[] {new TrustAllCertificates()};
        description.append("INSECURE: trusting every certificate");
      } else if (trustStore != null) {
        trustManagers = trustManagers(load("trustStore", trustStore, trustStorePassword));
        description.append("trustStore ").append(trustStore);
      } else if (trustedCertificates != null) {
        trustManagers = trustManagers(pemStore(trustedCertificates));
        description.append("trustedCertificates ").append(trustedCertificates);
      } else {
        trustManagers = trustManagers(null);
        description.append("the JDK's trusted certificates");
      }
      KeyManager[] keyManagers = null;
      if (keyStore != null) {
        keyManagers = keyManagers(load("keyStore", keyStore, keyStorePassword));
        description.append(", keyStore ").append(keyStore);
      }
      try {
        SSLContext context = SSLContext.getInstance(protocol);
        context.init(ClientCertificateProbe.wrap(keyManagers), trustManagers, null);
        return new TlsSettings(context, !trustAll, description.toString());
      } catch (GeneralSecurityException e) {
        throw new EventBusConfigurationException(
            PREFIX + "protocol",
            PREFIX + "protocol " + protocol + " is not available: " + e.getMessage());
      }
    }

    private static KeyStore load(String setting, Path file, char @Nullable [] password) {
      try {
        return KeyStore.getInstance(file.toFile(), password);
      } catch (IOException | GeneralSecurityException e) {
        throw new EventBusConfigurationException(
            PREFIX + setting, PREFIX + setting + " " + file + " cannot be read: " + describe(e));
      }
    }

    private static KeyStore pemStore(Path file) {
      try (InputStream in = Files.newInputStream(file)) {
        Collection<? extends Certificate> certificates =
            CertificateFactory.getInstance("X.509").generateCertificates(in);
        if (certificates.isEmpty()) {
          throw new EventBusConfigurationException(
              PREFIX + "trustedCertificates",
              PREFIX + "trustedCertificates " + file + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
          store.setCertificateEntry("trusted-" + i++, certificate);
        }
        return store;
      } catch (IOException | GeneralSecurityException e) {
        throw new EventBusConfigurationException(
            PREFIX + "trustedCertificates",
            PREFIX + "trustedCertificates " + file + " cannot be read: " + describe(e));
      }
    }

    private static TrustManager[] trustManagers(@Nullable KeyStore store) {
      try {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
      } catch (GeneralSecurityException e) {
        throw new EventBusConfigurationException("TLS trust managers: " + describe(e));
      }
    }

    private KeyManager[] keyManagers(KeyStore store) {
      try {
        KeyManagerFactory factory =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, keyStorePassword);
        return factory.getKeyManagers();
      } catch (GeneralSecurityException e) {
        throw new EventBusConfigurationException(
            PREFIX + "keyStore",
            PREFIX + "keyStore " + keyStore + " has no usable key: " + describe(e));
      }
    }

    private static String describe(Exception e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }
}
