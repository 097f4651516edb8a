package io.eventbus.rabbitmq.internal.security;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.jspecify.annotations.Nullable;

/**
 * A key manager that remembers, for the thread doing the handshake, whether the broker asked for a
 * client certificate and whether one was offered. With TLS 1.3 a broker that refuses the client's
 * certificate (or its absence) says so only after the handshake, often as a reset connection rather
 * than a readable alert; this is how such a failure is still told apart.
 *
 * <p>amqp-client handshakes on the thread that opens the connection; {@link #reset()} runs before
 * each connection attempt (from the factory's socket configurator).
 */
public final class ClientCertificateProbe extends X509ExtendedKeyManager {
  private static final ThreadLocal<Boolean> OFFERED = new ThreadLocal<>();

  private final @Nullable X509KeyManager delegate;

  private ClientCertificateProbe(@Nullable X509KeyManager delegate) {
    this.delegate = delegate;
  }

  /** {@code managers} (or none) with the probe around the first X.509 one. */
  public static KeyManager[] wrap(KeyManager @Nullable [] managers) {
    X509KeyManager x509 = null;
    if (managers != null) {
      for (KeyManager manager : managers) {
        if (manager instanceof X509KeyManager candidate) {
          x509 = candidate;
          break;
        }
      }
    }
    return new KeyManager[] {new ClientCertificateProbe(x509)};
  }

  /** Forgets what the last handshake on this thread saw. */
  public static void reset() {
    OFFERED.remove();
  }

  /**
   * Whether the last handshake on this thread was asked for a client certificate: empty if not
   * asked, else whether the client had one (offered, or held back because its issuer was not one
   * the broker named as acceptable).
   */
  public static Optional<Boolean> lastRequest() {
    return Optional.ofNullable(OFFERED.get());
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    String alias = delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
    OFFERED.set(alias != null || holdsAny(keyType));
    return alias;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    String alias =
        delegate instanceof X509ExtendedKeyManager extended
            ? extended.chooseEngineClientAlias(keyType, issuers, engine)
            : delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, null);
    OFFERED.set(alias != null || holdsAny(keyType));
    return alias;
  }

  private boolean holdsAny(String[] keyTypes) {
    if (delegate == null) {
      return false;
    }
    for (String keyType : keyTypes) {
      String[] aliases = delegate.getClientAliases(keyType, null);
      if (aliases != null && aliases.length > 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate == null ? null : delegate.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate == null ? null : delegate.getPrivateKey(alias);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
