package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusException;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth 2.0 against the broker's own OAuth 2 backend ({@code rabbitmq_auth_backend_oauth2}, shipped
 * with the installed broker and enabled on a private node) and a token endpoint the test serves on
 * loopback: short-lived tokens are renewed on the open connections before they expire.
 */
class OAuth2IT {
  private static final Logger log = LoggerFactory.getLogger(OAuth2IT.class);
  private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(6);

  @TempDir static Path folder;

  private static TokenEndpoint endpoint;
  private static PrivateRabbitNode node;

  @BeforeAll
  static void start() {
    Requirements.require(
        "rabbitmq-server (for a private node with the OAuth 2 backend)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    endpoint = new TokenEndpoint("orders-service", "orders-client-secret", TOKEN_LIFETIME);
    Path key = endpoint.writePublicKey(folder.resolve("signing-key.pem"));
    node =
        PrivateRabbitNode.start(
            NodeConfig.defaults()
                .withPlugins("rabbitmq_auth_backend_oauth2")
                .withConfig(
                    "auth_backends.1 = rabbit_auth_backend_oauth2",
                    "auth_backends.2 = internal",
                    "auth_oauth2.resource_server_id = rabbitmq",
                    "auth_oauth2.default_key = " + TokenEndpoint.KEY_ID,
                    "auth_oauth2.signing_keys." + TokenEndpoint.KEY_ID + " = " + key));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  @Test
  void shortLivedTokensAreRenewedOnTheOpenConnectionsWhileTheBusRuns() throws Exception {
    try (LogCapture logs = LogCapture.start()) {
      renewedWhileRunning();
      assertThat(logs.text().lines().filter(line -> line.contains("2 open connections updated")))
          .as("update-secret accepted on both connections at each renewal")
          .hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void theBrokerChecksTheTokenItIsGiven() {
    String expired = endpoint.token(Instant.now().minus(TOKEN_LIFETIME.multipliedBy(2)));

    assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .uri("amqp://127.0.0.1:" + node.port())
                    .credentials(CredentialsSource.of(Credentials.of("orders-service", expired)))
                    .connectionName("oauth2-expired")
                    .build())
        .isInstanceOf(EventBusException.class)
        .hasMessageContaining("ACCESS_REFUSED")
        .hasMessageNotContaining(expired);
  }

  private void renewedWhileRunning() throws Exception {
    long started = System.nanoTime();
    RabbitTransport transport =
        OperationsExamples.oauth2(
            "amqp://127.0.0.1:" + node.port(),
            endpoint.uri(),
            "orders-service",
            "orders-client-secret");
    DeliveryLedger ledger = DeliveryLedger.create();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("oauth2").build(),
                Handlers.scan(new Traffic.LedgerHandler(ledger, "oauth2")))
            .build()) {
      SteadyTraffic flow = new SteadyTraffic(bus, ledger, Duration.ofMillis(5));
      Duration untilThirdRenewal;
      try (flow) {
        // The first token and three renewals, at 80% of each 6 s lifetime: about 15 s.
        Await.until(
            TOKEN_LIFETIME.multipliedBy(4),
            () -> {
              assertThat(transport.status().recoveries())
                  .as("the connections stay up across token lifetimes")
                  .isZero();
              return endpoint.issued() >= 4;
            },
            "three token renewals");
        // Judged when the fourth token is seen, not after the settling below, which a loaded
        // machine may stretch over further renewals.
        untilThirdRenewal = Duration.ofNanos(System.nanoTime() - started);
      }
      assertThat(ledger)
          .hasConfirmed(flow.published())
          .within(Duration.ofSeconds(60))
          .lostNothing("oauth2");
      assertThat(ledger.report("oauth2").publishFailed()).isZero();
      assertThat(transport.status().recoveries()).isZero();
      // Three renewals at 80% of a lifetime take 3 x 4.8 s; a token's expiry is in whole seconds,
      // so a lifetime may start up to 1 s short.
      assertThat(untilThirdRenewal)
          .as("renewed at 80% of each lifetime, not more often")
          .isGreaterThanOrEqualTo(TOKEN_LIFETIME.minusSeconds(1).multipliedBy(3 * 8).dividedBy(10));
      log.info(
          "OAuth 2: {}; {} tokens issued, {} recoveries",
          ledger.report("oauth2"),
          endpoint.issued(),
          transport.status().recoveries());
    }
  }
}
