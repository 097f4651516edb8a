package io.eventbus.rabbitmq.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.rabbitmq.TlsVerificationException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * The chains below are shaped as the JDK 17 reports them (the TLS ITs check the real ones against a
 * broker).
 */
class TlsFailuresTest {
  private static Throwable handshake(String message, Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException(message);
    e.initCause(cause);
    return new IOException(e);
  }

  @Test
  void anExpiredCertificateIsExpiredNotMerelyUntrusted() {
    CertPathValidatorException validity =
        new CertPathValidatorException(
            "validity check failed",
            new CertificateExpiredException("NotAfter: Sun Jan 01 00:00:00 UTC 2023"),
            null,
            -1,
            CertPathValidatorException.BasicReason.EXPIRED);
    Throwable chain = handshake("PKIX path validation failed", validity);

    assertThat(TlsFailures.classify(chain))
        .get()
        .extracting(TlsFailures.Failure::reason)
        .isEqualTo(Reason.CERTIFICATE_EXPIRED);
  }

  @Test
  void anUnknownAuthorityIsUntrusted() {
    Throwable chain =
        handshake(
            "PKIX path building failed",
            new CertPathBuilderException("unable to find valid certification path"));

    assertThat(TlsFailures.classify(chain).orElseThrow().reason())
        .isEqualTo(Reason.UNTRUSTED_CERTIFICATE);
  }

  @Test
  void aCertificateForAnotherNameIsAHostnameMismatch() {
    Throwable chain =
        handshake(
            "No subject alternative names matching IP address 127.0.0.1 found",
            new CertificateException(
                "No subject alternative names matching IP address 127.0.0.1 found"));

    TlsFailures.Failure failure = TlsFailures.classify(chain).orElseThrow();
    assertThat(failure.reason()).isEqualTo(Reason.HOSTNAME_MISMATCH);
    assertThat(failure.detail()).contains("127.0.0.1");
  }

  @Test
  void theBrokersAlertsSayWhatItThoughtOfTheClientCertificate() {
    assertThat(
            TlsFailures.classify(
                    new SSLHandshakeException("Received fatal alert: certificate_required"))
                .orElseThrow()
                .reason())
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
    assertThat(
            TlsFailures.classify(new SSLHandshakeException("Received fatal alert: unknown_ca"))
                .orElseThrow()
                .reason())
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REJECTED);
    assertThat(
            TlsFailures.classify(
                    new SSLHandshakeException("Received fatal alert: handshake_failure"))
                .orElseThrow()
                .reason())
        .isEqualTo(Reason.HANDSHAKE_FAILED);
  }

  @Test
  void aConnectionDroppedAfterTheBrokerAskedForACertificateIsItsVerdictOnIt() {
    Throwable reset = new IOException(new java.net.SocketException("Connection reset by peer"));

    assertThat(TlsFailures.classify(reset, java.util.Optional.of(false)).orElseThrow().reason())
        .as("asked, none offered")
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
    assertThat(TlsFailures.classify(reset, java.util.Optional.of(true)).orElseThrow().reason())
        .as("asked, one offered")
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REJECTED);
    assertThat(TlsFailures.classify(reset, java.util.Optional.empty())).as("never asked").isEmpty();
  }

  @Test
  void aCertificateRequiredAlertToAClientHoldingOneIsARejectionOfThatCertificate() {
    // The client held back its certificate because the broker named other issuers; the broker's
    // alert arrives as often as a reset does, and both must read the same.
    Throwable alert =
        new IOException(new SSLHandshakeException("Received fatal alert: certificate_required"));
    Throwable reset = new IOException(new java.net.SocketException("Connection reset by peer"));

    assertThat(TlsFailures.classify(alert, java.util.Optional.of(true)).orElseThrow().reason())
        .as("alert read, one held")
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REJECTED);
    assertThat(TlsFailures.classify(reset, java.util.Optional.of(true)).orElseThrow().reason())
        .as("alert lost, one held")
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REJECTED);
    assertThat(TlsFailures.classify(alert, java.util.Optional.of(false)).orElseThrow().reason())
        .as("alert read, none held")
        .isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
  }

  @Test
  void aFailureWithoutTlsInItIsNotATlsFailure() {
    assertThat(TlsFailures.classify(new ConnectException("Connection refused"))).isEmpty();
  }
}
