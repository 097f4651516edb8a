package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A password that changes on the broker while the bus publishes and consumes, on a private node:
 * nothing is lost, open connections stay open, and a reconnection uses the new password, once per
 * connection.
 */
class CredentialRotationIT {
  private static final Logger log = LoggerFactory.getLogger(CredentialRotationIT.class);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private static PrivateRabbitNode node;

  @BeforeAll
  static void startNode() {
    node = SharedPrivateNode.get();
    node.rabbitmqctl("add_user", "orders", "first-password");
    node.rabbitmqctl("set_permissions", "-p", "/", "orders", ".*", ".*", ".*");
  }

  private static void awaitStatus(RabbitTransport transport, Predicate<TransportStatus> condition) {
    Await.until(Duration.ofSeconds(30), transport::status, condition, "a transport status");
  }

  @Test
  void aPasswordRotatedWhileTheBusRunsLosesNothingAndReconnectsOncePerConnection(
      @TempDir Path folder) throws Exception {
    Path passwordFile = Files.writeString(folder.resolve("password"), "first-password\n");
    AtomicInteger fetches = new AtomicInteger();
    CredentialsSource file = CredentialsSource.passwordFile("orders", passwordFile);
    CredentialsSource counted =
        () -> {
          fetches.incrementAndGet();
          return file.fetch();
        };
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri("amqp://127.0.0.1:" + node.port())
            .credentials(counted)
            .connectionName("rotation")
            .recoveryInterval(Duration.ofMillis(500))
            .shutdownTimeout(Duration.ofSeconds(5))
            .build();
    DeliveryLedger ledger = DeliveryLedger.create();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("rotation").build(),
                Handlers.scan(new Traffic.LedgerHandler(ledger, "rotation")))
            .build()) {
      SteadyTraffic flow = new SteadyTraffic(bus, ledger, Duration.ofMillis(2));
      try (flow) {
        awaitPublished(flow, 500);
        node.rabbitmqctl("change_password", "orders", "second-password");
        Files.writeString(passwordFile, "second-password\n");
        awaitPublished(flow, 1_000);
        assertThat(transport.status().recoveries())
            .as("a password change leaves open connections alone")
            .isZero();

        node.rabbitmqctl("close_all_connections", "credential rotation test");
        awaitStatus(
            transport,
            status ->
                status.recoveries() == 2
                    && status.publishing() == ConnectionState.CONNECTED
                    && status.consuming() == ConnectionState.CONNECTED);
        int afterReconnect = flow.published();
        awaitPublished(flow, afterReconnect + 500);
      }
      assertThat(ledger).hasConfirmed(flow.published()).within(SETTLE).lostNothing("rotation");
      log.info(
          "Rotation: {}; {} recoveries, {} password file reads",
          ledger.report("rotation"),
          transport.status().recoveries(),
          fetches.get());
      assertThat(ledger.report("rotation").publishFailed()).isZero();
      assertThat(transport.status().recoveries())
          .as("one reconnection per connection, no storm")
          .isEqualTo(2);
      assertThat(fetches.get())
          .as("the password file is read for new connections: 1-2 at start, 1-2 on reconnection")
          .isBetween(2, 4);
    }
    ConnectionFactory old = new ConnectionFactory();
    old.setUri("amqp://orders:first-password@127.0.0.1:" + node.port());
    assertThatThrownBy(() -> old.newConnection().close())
        .as("the old password no longer works: the reconnection used the new one")
        .hasMessageContaining("ACCESS_REFUSED");
  }

  @Test
  void aStalePasswordRetriesWithBackOffUntilTheNewOneArrives(@TempDir Path folder)
      throws Exception {
    node.rabbitmqctl("add_user", "billing", "old-secret");
    node.rabbitmqctl("set_permissions", "-p", "/", "billing", ".*", ".*", ".*");
    Path passwordFile = Files.writeString(folder.resolve("password"), "old-secret");
    AtomicInteger fetches = new AtomicInteger();
    CredentialsSource file = CredentialsSource.passwordFile("billing", passwordFile);
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri("amqp://127.0.0.1:" + node.port())
            .credentials(
                () -> {
                  fetches.incrementAndGet();
                  return file.fetch();
                })
            .connectionName("stale")
            .recoveryInterval(Duration.ofSeconds(1))
            .shutdownTimeout(Duration.ofSeconds(5))
            .build();
    try (transport) {
      node.rabbitmqctl("change_password", "billing", "new-secret");
      node.rabbitmqctl("close_all_connections", "credential rotation test");
      awaitStatus(transport, status -> status.publishing() == ConnectionState.RECOVERING);
      int before = fetches.get();
      Await.until(
          Duration.ofSeconds(30),
          () -> fetches.get() >= before + 4,
          "four more password file reads: every reconnection attempt reads the file again");
      assertThat(transport.status().publishing()).isEqualTo(ConnectionState.RECOVERING);
      assertThat(transport.status().recoveries()).isZero();

      Files.writeString(passwordFile, "new-secret");
      awaitStatus(
          transport,
          status ->
              status.recoveries() == 2
                  && status.publishing() == ConnectionState.CONNECTED
                  && status.consuming() == ConnectionState.CONNECTED);
    }
    assertThat(Credentials.of("billing", "new-secret").toString()).doesNotContain("new-secret");
  }

  @Test
  void aRefusedLoginWhileReconnectingIsWarnedAboutOnceAndShownInHealthUntilItIsFixed()
      throws Exception {
    node.rabbitmqctl("add_user", "audit", "audit-secret");
    node.rabbitmqctl("set_permissions", "-p", "/", "audit", ".*", ".*", ".*");
    AtomicInteger attempts = new AtomicInteger();
    RabbitTransport transport =
        RabbitTransport.builder()
            .uri("amqp://127.0.0.1:" + node.port())
            .credentials(
                () -> {
                  attempts.incrementAndGet();
                  return Credentials.of("audit", "audit-secret");
                })
            .connectionName("audit")
            .recoveryInterval(Duration.ofMillis(500))
            .shutdownTimeout(Duration.ofSeconds(5))
            .build();
    try (LogCapture logs = LogCapture.start();
        EventBus bus =
            EventBus.builder()
                .transport(transport)
                .subscribe(
                    SubscriptionOptions.builder("audit").build(),
                    Handlers.scan(new Traffic.LedgerHandler(DeliveryLedger.create(), "audit")))
                .build()) {
      node.rabbitmqctl("change_password", "audit", "rotated-on-the-broker");
      node.rabbitmqctl("close_all_connections", "refused login test");

      Health refused =
          Await.until(
              Duration.ofSeconds(30),
              bus::health,
              health ->
                  health.components().stream()
                      .filter(c -> c.name().startsWith("connection:"))
                      .allMatch(c -> c.detail().contains("ACCESS_REFUSED")),
              "both connections down with the refused login as their reason");
      Health.Component publishing = refused.component("connection:publish").orElseThrow();
      assertThat(publishing.status()).isEqualTo(Health.Status.DOWN);
      assertThat(publishing.detail())
          .startsWith("connection lost")
          .contains("the last attempt failed: Could not connect to amqp://127.0.0.1:")
          .contains("ACCESS_REFUSED");
      assertThat(publishing.details()).containsKey("lastFailure");
      int before = attempts.get();
      Await.until(
          Duration.ofSeconds(30),
          () -> attempts.get() >= before + 3,
          "three more reconnection attempts");

      List<String> warnings =
          logs.text()
              .lines()
              .filter(line -> line.contains("WARN") && line.contains("cannot reconnect"))
              .toList();
      assertThat(warnings)
          .as("one warning per connection however many attempts fail (at most one a minute)")
          .hasSize(2)
          .allSatisfy(
              line ->
                  assertThat(line)
                      .contains("[authentication refused;")
                      .contains("ACCESS_REFUSED")
                      .doesNotContain("audit-secret"));
      assertThat(warnings)
          .anySatisfy(line -> assertThat(line).contains("Connection audit-publish"))
          .anySatisfy(line -> assertThat(line).contains("Connection audit-consume"));

      node.rabbitmqctl("change_password", "audit", "audit-secret");
      Health back =
          Await.until(
              Duration.ofSeconds(30),
              bus::health,
              health -> health.status() == Health.Status.UP,
              "the bus up again with the password restored");
      assertThat(back.component("connection:publish").orElseThrow().detail()).isEmpty();
      assertThat(back.component("connection:publish").orElseThrow().details())
          .doesNotContainKey("lastFailure");
      assertThat(transport.status().recoveries()).isEqualTo(2);
    }
  }

  private static void awaitPublished(SteadyTraffic flow, int count) {
    Await.until(SETTLE, flow::published, n -> n >= count, count + " publishes started");
  }
}
