package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventbus.EventBus;
import io.eventbus.cli.Scene.Flaky;
import io.eventbus.cli.Scene.PaymentFailed;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.broker.TestCertificateAuthority;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged tool's {@code --tls-*} options against private nodes listening with certificates the
 * test made for {@code localhost}: a node that checks no client certificate (with parked events to
 * show) and one that requires them. What connects, and the exit code and reason of each way
 * verification fails.
 */
class CliTlsIT {
  private static final String KEY_STORE_PASSWORD = "cli-key-store-password";

  @TempDir static Path folder;

  private static TestCertificateAuthority ca;
  private static PrivateRabbitNode serverOnly;
  private static PrivateRabbitNode mutual;
  private static Scene scene;
  private static String billing;
  private static List<String> parked;

  @BeforeAll
  static void start() throws Exception {
    CliProcess.requireJar();
    Requirements.require(
        "rabbitmq-server (for private nodes with TLS)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    ca = TestCertificateAuthority.create(folder, "cli-test-ca");
    TestCertificateAuthority.Issued broker = ca.server("localhost", "localhost");
    NodeConfig.Tls tls =
        NodeConfig.Tls.of(ca.certificatePem(), broker.certificatePem(), broker.privateKeyPem());
    // Both nodes start at once, which saves seconds: a start is much waiting for Erlang to boot.
    CompletableFuture<PrivateRabbitNode> mutualStart =
        CompletableFuture.supplyAsync(
            () ->
                PrivateRabbitNode.start(
                    NodeConfig.defaults().withTls(tls.requiringClientCertificates())));
    serverOnly = PrivateRabbitNode.start(NodeConfig.defaults().withTls(tls));
    mutual = mutualStart.join();
    // The events are parked over the node's plain listener; the tool reads them over TLS.
    scene = new Scene(serverOnly.uri());
    billing = scene.subscription("billing");
    EventBus bus = scene.bus(billing, new Flaky(), 1);
    parked = new ArrayList<>();
    parked.add(bus.publishAndWait(new PaymentFailed("o-1", 100)).eventId());
    parked.add(bus.publishAndWait(new PaymentFailed("o-2", 200)).eventId());
    scene.awaitParked(billing, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (scene != null) {
      scene.close();
    }
    for (PrivateRabbitNode node : new PrivateRabbitNode[] {serverOnly, mutual}) {
      if (node != null) {
        node.close();
      }
    }
  }

  private static CliProcess.Result cli(String uri, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--exchange", scene.exchange, "--timeout", "5s"));
    return CliProcess.run(Map.of("EVENTBUS_URI", uri), "", all);
  }

  private static String ca() {
    return ca.certificatePem().toString();
  }

  @Test
  void withTheBrokersAuthorityTheToolReadsParkedEventsOverTls() {
    CliProcess.Result shown =
        cli(serverOnly.tlsUri("localhost"), "show", billing, "--json", "--tls-ca", ca());

    assertThat(shown.exitCode()).as(shown.toString()).isZero();
    assertThat(shown.json())
        .extracting(e -> e.get("id").asText())
        .containsExactlyElementsOf(parked);

    CliProcess.Result listed =
        cli(serverOnly.tlsUri("localhost"), "list", billing, "--json", "--tls-ca", ca());
    assertThat(listed.exitCode()).as(listed.toString()).isZero();
    JsonNode row = listed.json().get(0);
    assertThat(row.get("deadLettered").asLong()).isEqualTo(2);
    assertThat(row.get("consumers").asLong()).isEqualTo(1);
    assertThat(listed.all()).doesNotContain("guest:guest");
  }

  @Test
  void withoutTheAuthorityTheBrokerIsUntrustedAndTheToolExitsWithAConnectionFailure() {
    CliProcess.Result untrusted = cli(serverOnly.tlsUri("localhost"), "show", billing);

    assertThat(untrusted.exitCode()).as(untrusted.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(untrusted.err())
        .contains("TLS verification failed")
        .contains("[UNTRUSTED_CERTIFICATE]")
        .doesNotContain("guest:guest");
    assertThat(untrusted.out()).isEmpty();
  }

  @Test
  void anAddressTheCertificateDoesNotNameIsAHostnameMismatch() {
    CliProcess.Result mismatch =
        cli(serverOnly.tlsUri("127.0.0.1"), "show", billing, "--tls-ca", ca());

    assertThat(mismatch.exitCode()).as(mismatch.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(mismatch.err()).contains("[HOSTNAME_MISMATCH]");
  }

  @Test
  void trustingEverythingConnectsToTheWrongNameAndWarnsOnStderr() {
    CliProcess.Result insecure =
        cli(serverOnly.tlsUri("127.0.0.1"), "show", billing, "--json", "--tls-insecure-trust-all");

    assertThat(insecure.exitCode()).as(insecure.toString()).isZero();
    assertThat(insecure.json()).hasSize(2);
    assertThat(insecure.err()).contains("WARN").contains("INSECURE TLS connection");
  }

  @Test
  void mutualTlsNeedsTheClientKeyStoreAndItsPasswordFile() throws Exception {
    Path keyStore =
        ca.client("cli-client", "cli-operator").pkcs12(KEY_STORE_PASSWORD.toCharArray());
    Path passwordFile =
        Files.writeString(folder.resolve("key-store.password"), KEY_STORE_PASSWORD + "\n");
    String uri = mutual.tlsUri("localhost");

    CliProcess.Result withCertificate =
        cli(
            uri,
            "list",
            "no-such-subscription",
            "--tls-ca",
            ca(),
            "--tls-keystore",
            keyStore.toString(),
            "--tls-keystore-password-file",
            passwordFile.toString());
    assertThat(withCertificate.exitCode())
        .as("connected over mutual TLS, and found nothing: " + withCertificate)
        .isEqualTo(ExitCodes.NOTHING_MATCHED);
    assertThat(withCertificate.err()).contains("not found").doesNotContain(KEY_STORE_PASSWORD);

    CliProcess.Result without = cli(uri, "list", "no-such-subscription", "--tls-ca", ca());
    assertThat(without.exitCode()).as(without.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(without.err()).contains("[CLIENT_CERTIFICATE_REQUIRED]");

    CliProcess.Result noPassword =
        cli(uri, "list", "x", "--tls-ca", ca(), "--tls-keystore", keyStore.toString());
    assertThat(noPassword.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noPassword.err()).contains("--tls-keystore-password-file");

    CliProcess.Result wrongPassword =
        cli(
            uri,
            "list",
            "x",
            "--tls-ca",
            ca(),
            "--tls-keystore",
            keyStore.toString(),
            "--tls-keystore-password-file",
            Files.writeString(folder.resolve("wrong.password"), "not-it").toString());
    assertThat(wrongPassword.exitCode()).as(wrongPassword.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(wrongPassword.err()).contains("keyStore").doesNotContain("not-it");
  }

  @Test
  void tlsOptionsWithAnAmqpUriAreAUsageError() {
    CliProcess.Result plain = cli(serverOnly.uri(), "show", billing, "--tls-ca", ca());

    assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(plain.err()).contains("amqps://").doesNotContain("guest:guest");
  }
}
