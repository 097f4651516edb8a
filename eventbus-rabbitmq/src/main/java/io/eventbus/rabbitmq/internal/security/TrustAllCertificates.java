package io.eventbus.rabbitmq.internal.security;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust manager of {@code TlsSettings.insecureTrustAllCertificates()}: checks nothing, not even
 * the host name (an extended trust manager does that check itself), and logs a warning at every
 * handshake, so that an insecure connection is never silent.
 */
public final class TrustAllCertificates extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(TrustAllCertificates.class);

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    warn(chain, socket == null ? null : socket.getInetAddress().getHostAddress());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    warn(chain, engine == null ? null : engine.getPeerHost());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) {
    warn(chain, null);
  }

  private static void warn(X509Certificate[] chain, String peer) {
    log.warn(
        "INSECURE TLS connection{}: the broker's certificate ({}) and host name are NOT verified"
            + " (TlsSettings.insecureTrustAllCertificates); anyone on the path can read and change"
            + " the traffic",
        peer == null ? "" : " to " + peer,
        chain.length == 0 ? "none" : chain[0].getSubjectX500Principal().getName());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    throw new UnsupportedOperationException("a client never checks clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    throw new UnsupportedOperationException("a client never checks clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    throw new UnsupportedOperationException("a client never checks clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
