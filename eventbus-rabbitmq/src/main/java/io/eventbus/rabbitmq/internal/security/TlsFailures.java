package io.eventbus.rabbitmq.internal.security;

import io.eventbus.rabbitmq.TlsVerificationException.Reason;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Tells from a failed connection's exception chain whether, and why, TLS verification failed. The
 * JDK reports a failed certificate check as an {@code SSLHandshakeException} whose causes say what
 * failed (by type for validity and trust, by message for the host name), and a certificate the
 * broker refused as a TLS alert received.
 */
public final class TlsFailures {
  private TlsFailures() {}

  /** A classified failure: the reason and the most telling message of the chain. */
  public record Failure(Reason reason, String detail) {}

  /** The TLS verification failure in {@code e}'s chain, if there is one. */
  public static Optional<Failure> classify(Throwable e) {
    return classify(e, Optional.empty());
  }

  /**
   * The TLS verification failure in {@code e}'s chain, if there is one, knowing whether the broker
   * asked for a client certificate in the handshake (and whether one was offered): a connection the
   * broker drops right after asking is its verdict on the client certificate.
   */
  public static Optional<Failure> classify(Throwable e, Optional<Boolean> clientCertificateAsked) {
    Reason found = null;
    String detail = null;
    boolean tls = false;
    boolean dropped = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
        dropped = true;
        if (detail == null) {
          detail = t.getMessage();
        }
      }
      String message = t.getMessage() == null ? "" : t.getMessage();
      String lower = message.toLowerCase(Locale.ROOT);
      if (t instanceof SSLException) {
        tls = true;
      }
      Reason reason = null;
      if (t instanceof CertificateExpiredException
          || (t instanceof CertPathValidatorException v
              && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED)) {
        reason = Reason.CERTIFICATE_EXPIRED;
      } else if (t instanceof CertificateNotYetValidException
          || (t instanceof CertPathValidatorException v
              && v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
        reason = Reason.CERTIFICATE_NOT_YET_VALID;
      } else if (t instanceof CertPathBuilderException) {
        reason = Reason.UNTRUSTED_CERTIFICATE;
      } else if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
        reason = Reason.HOSTNAME_MISMATCH;
      } else if (lower.contains("certificate_required")) {
        reason = Reason.CLIENT_CERTIFICATE_REQUIRED;
      } else if (lower.contains("received fatal alert: unknown_ca")
          || lower.contains("received fatal alert: bad_certificate")
          || lower.contains("received fatal alert: certificate_unknown")
          || lower.contains("received fatal alert: certificate_expired")
          || lower.contains("received fatal alert: unsupported_certificate")) {
        reason = Reason.CLIENT_CERTIFICATE_REJECTED;
      }
      // The deepest specific cause wins: validity beats the generic path-building failure.
      if (reason != null && (found == null || specificity(reason) >= specificity(found))) {
        found = reason;
        detail = message;
      }
      if (detail == null && t instanceof SSLException) {
        detail = message;
      }
    }
    if ((found == null || found == Reason.HANDSHAKE_FAILED)
        && (tls || dropped)
        && clientCertificateAsked.isPresent()) {
      found =
          clientCertificateAsked.get()
              ? Reason.CLIENT_CERTIFICATE_REJECTED
              : Reason.CLIENT_CERTIFICATE_REQUIRED;
    }
    // A client that holds a certificate the broker's list of acceptable issuers leaves out sends
    // none, and the broker's alert says certificate_required: its verdict on the certificate held.
    // Whether that alert is read or lost to a reset is timing; the reason must not depend on it.
    if (found == Reason.CLIENT_CERTIFICATE_REQUIRED && clientCertificateAsked.orElse(false)) {
      found = Reason.CLIENT_CERTIFICATE_REJECTED;
    }
    if (found == null && tls) {
      found = Reason.HANDSHAKE_FAILED;
    }
    return found == null ? Optional.empty() : Optional.of(new Failure(found, oneLine(detail)));
  }

  private static int specificity(Reason reason) {
    return reason == Reason.UNTRUSTED_CERTIFICATE ? 0 : 1;
  }

  private static String oneLine(String detail) {
    if (detail == null || detail.isBlank()) {
      return "no details";
    }
    String line = detail.strip().replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
