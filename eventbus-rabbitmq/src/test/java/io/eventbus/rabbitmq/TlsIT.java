package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.rabbitmq.TlsVerificationException.Reason;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.broker.TestCertificateAuthority;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS against private nodes listening with certificates the test made for {@code localhost}: what
 * connects, and the typed error for each way verification fails.
 */
class TlsIT {
  @TempDir static Path folder;

  private static TestCertificateAuthority ca;
  private static TestCertificateAuthority stranger;
  private static TestCertificateAuthority.Issued server;
  private static PrivateRabbitNode serverOnly;
  private static PrivateRabbitNode mutual;

  @EventType("tls.ping.v1")
  record Ping(String text) {}

  static final class Pings {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    @EventHandler
    void on(Ping ping, EventContext context) {
      received.add(ping.text());
    }
  }

  @BeforeAll
  static void startNodes() {
    Requirements.require(
        "rabbitmq-server (for private nodes with TLS)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    ca = TestCertificateAuthority.create(folder, "eventbus-test-ca");
    stranger = TestCertificateAuthority.create(folder, "stranger-ca");
    server = ca.server("localhost", "localhost");
    // Both nodes start at once, which saves seconds: a start is much waiting for Erlang to boot.
    CompletableFuture<PrivateRabbitNode> mutualStart =
        CompletableFuture.supplyAsync(
            () ->
                PrivateRabbitNode.start(
                    NodeConfig.defaults()
                        .withTls(
                            NodeConfig.Tls.of(
                                    ca.certificatePem(),
                                    server.certificatePem(),
                                    server.privateKeyPem())
                                .requiringClientCertificates())));
    serverOnly =
        PrivateRabbitNode.start(
            NodeConfig.defaults()
                .withTls(
                    NodeConfig.Tls.of(
                        ca.certificatePem(), server.certificatePem(), server.privateKeyPem())));
    mutual = mutualStart.join();
  }

  @AfterAll
  static void stopNodes() {
    for (PrivateRabbitNode node : new PrivateRabbitNode[] {serverOnly, mutual}) {
      if (node != null) {
        node.close();
      }
    }
  }

  private static RabbitTransport.Builder transport(String uri, TlsSettings tls) {
    return RabbitTransport.builder()
        .uri(uri)
        .tls(tls)
        .connectionName("tls-it")
        .connectTimeout(Duration.ofSeconds(5))
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  private static TlsSettings trustingOurCa() {
    return TlsSettings.builder().trustedCertificates(ca.certificatePem()).build();
  }

  /** Publishes and consumes one event over {@code transport}. */
  private static void roundTrip(RabbitTransport transport) throws Exception {
    Pings pings = new Pings();
    try (EventBus bus =
        EventBus.builder().transport(transport).subscribe("tls-pings", pings).build()) {
      bus.publishAndWait(new Ping("over TLS"));
      assertThat(pings.received.poll(10, TimeUnit.SECONDS)).isEqualTo("over TLS");
    }
  }

  private static TlsVerificationException failure(String uri, TlsSettings tls) {
    Throwable thrown = catchThrowable(() -> transport(uri, tls).build().close());
    assertThat(thrown).isInstanceOf(TlsVerificationException.class);
    return (TlsVerificationException) thrown;
  }

  @Test
  void aCertificateFromATrustedAuthorityForTheHostConnects() throws Exception {
    roundTrip(transport(serverOnly.tlsUri("localhost"), trustingOurCa()).build());
  }

  @Test
  void anAmqpsUriWithoutSettingsVerifiesAgainstTheJdksAuthorities() {
    assertThatThrownBy(() -> RabbitTransport.builder().uri(serverOnly.tlsUri("localhost")).build())
        .isInstanceOfSatisfying(
            TlsVerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_CERTIFICATE));
  }

  @Test
  void theAddressInsteadOfTheNameTheCertificateHoldsIsAHostnameMismatch() {
    TlsVerificationException e = failure(serverOnly.tlsUri("127.0.0.1"), trustingOurCa());

    assertThat(e.reason()).isEqualTo(Reason.HOSTNAME_MISMATCH);
    assertThat(e.getMessage())
        .contains("127.0.0.1:" + serverOnly.tlsPort())
        .contains("does not name the host")
        .doesNotContain("guest:guest");
  }

  @Test
  void aCertificateFromAnotherAuthorityIsUntrusted() {
    TlsVerificationException e =
        failure(
            serverOnly.tlsUri("localhost"),
            TlsSettings.builder().trustedCertificates(stranger.certificatePem()).build());

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_CERTIFICATE);
    assertThat(e.getMessage()).contains("not signed by a trusted authority");
  }

  @Test
  void anExpiredCertificateIsRefusedAsExpired() {
    TestCertificateAuthority.Issued expired = ca.expiredServer("expired-localhost", "localhost");
    try (PrivateRabbitNode node =
        PrivateRabbitNode.start(
            NodeConfig.defaults()
                .withTls(
                    NodeConfig.Tls.of(
                        ca.certificatePem(), expired.certificatePem(), expired.privateKeyPem())))) {
      TlsVerificationException e = failure(node.tlsUri("localhost"), trustingOurCa());

      assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_EXPIRED);
      assertThat(e.getMessage()).contains("has expired");
    }
  }

  @Test
  void trustingEverythingConnectsEvenToTheWrongNameAndWarnsAtEveryConnection() throws Exception {
    try (LogCapture logs = LogCapture.start()) {
      roundTrip(
          transport(
                  serverOnly.tlsUri("127.0.0.1"),
                  TlsSettings.builder().insecureTrustAllCertificates().build())
              .build());

      assertThat(
              logs.text()
                  .lines()
                  .filter(
                      line -> line.contains("WARN") && line.contains("INSECURE TLS connection")))
          .as("one warning per connection: publishing and consuming")
          .hasSize(2);
    }
  }

  @Test
  void mutualTlsWithAClientCertificateTheBrokerTrustsConnects() throws Exception {
    char[] password = "key-store-password".toCharArray();
    Path keyStore = ca.client("orders-client", "orders").pkcs12(password);

    roundTrip(
        OperationsExamples.mutualTls(
            mutual.tlsUri("localhost"), ca.certificatePem(), keyStore, password));
  }

  @Test
  void withoutAClientCertificateTheBrokerRefusesTheConnection() {
    TlsVerificationException e = failure(mutual.tlsUri("localhost"), trustingOurCa());

    assertThat(e.reason()).isEqualTo(Reason.CLIENT_CERTIFICATE_REQUIRED);
  }

  @Test
  void aClientCertificateFromAnotherAuthorityIsRejected() {
    char[] password = "key-store-password".toCharArray();
    TlsSettings tls =
        TlsSettings.builder()
            .trustedCertificates(ca.certificatePem())
            .keyStore(stranger.client("intruder", "intruder").pkcs12(password), password)
            .build();

    TlsVerificationException e = failure(mutual.tlsUri("localhost"), tls);

    assertThat(e.reason()).isEqualTo(Reason.CLIENT_CERTIFICATE_REJECTED);
  }
}
