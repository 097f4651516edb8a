package io.eventbus.rabbitmq;

import io.eventbus.EventBusException;
import java.util.Objects;

/**
 * A TLS connection to the broker failed its verification: the broker's certificate was not trusted,
 * had expired or named another host, or the broker refused the client's certificate (or its
 * absence). Thrown by {@link RabbitTransport.Builder#build()} when the first connection fails so;
 * {@link #reason()} says which, and the message names the host and the cause.
 *
 * <p>Retrying does not help: fix the certificates or the settings ({@link TlsSettings}).
 */
public final class TlsVerificationException extends EventBusException {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Reason {
    /** The broker's certificate names neither the host name nor the address connected to. */
    HOSTNAME_MISMATCH("the broker's certificate does not name the host connected to"),
    /** The broker's certificate does not chain to a trusted certificate (an unknown CA). */
    UNTRUSTED_CERTIFICATE("the broker's certificate is not signed by a trusted authority"),
    /** The broker's certificate (or one of its chain) has expired. */
    CERTIFICATE_EXPIRED("the broker's certificate has expired"),
    /** The broker's certificate (or one of its chain) is not valid yet. */
    CERTIFICATE_NOT_YET_VALID("the broker's certificate is not valid yet"),
    /** The broker requires a client certificate and none was shown. */
    CLIENT_CERTIFICATE_REQUIRED("the broker requires a client certificate and none was sent"),
    /**
     * The broker did not accept the client certificate: it refused the one shown, or it named
     * acceptable issuers and the client's certificate is from none of them.
     */
    CLIENT_CERTIFICATE_REJECTED("the broker does not accept the client certificate"),
    /** Another handshake failure (protocol or cipher mismatch, a broken peer). */
    HANDSHAKE_FAILED("the TLS handshake failed");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** A short sentence for messages. */
    public String description() {
      return description;
    }
  }

  private final Reason reason;
  private final String host;

  /**
   * @param reason what failed
   * @param host the host (and port) connected to
   * @param detail the TLS library's own words, without secrets
   * @param cause the handshake failure
   */
  public TlsVerificationException(Reason reason, String host, String detail, Throwable cause) {
    super(
        "TLS verification failed for "
            + host
            + ": "
            + Objects.requireNonNull(reason, "reason").description()
            + " ("
            + detail
            + ")",
        cause);
    this.reason = reason;
    this.host = host;
  }

  /** What failed. */
  public Reason reason() {
    return reason;
  }

  /** The host (and port) the failed connection went to. */
  public String host() {
    return host;
  }
}
