package io.eventbus.testkit.security;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
      org.assertj.core.api.Assertions.assertThat(
              logs.text().lines().filter(line -> line.contains("2 open connections updated")))
          .as("update-secret accepted on both connections at each renewal")
          .hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void theBrokerChecksTheTokenItIsGiven() {
    String expired = endpoint.token(java.time.Instant.now().minus(TOKEN_LIFETIME.multipliedBy(2)));

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                RabbitTransport.builder()
                    .uri("amqp://127.0.0.1:" + node.port())
                    .credentials(
                        io.eventbus.rabbitmq.CredentialsSource.of(
                            io.eventbus.rabbitmq.Credentials.of("orders-service", expired)))
                    .connectionName("oauth2-expired")
                    .build())
        .isInstanceOf(io.eventbus.EventBusException.class)
        .hasMessageContaining("ACCESS_REFUSED")
        .hasMessageNotContaining(expired);
  }

  private void renewedWhileRunning() throws Exception {
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
                Handlers.scan(new Flow.LedgerHandler(ledger, "oauth2")))
            .build()) {
      Flow flow = new Flow(bus, ledger, Duration.ofMillis(5));
      try (flow) {
        long until = System.nanoTime() + TOKEN_LIFETIME.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
          TimeUnit.MILLISECONDS.sleep(100);
          org.assertj.core.api.Assertions.assertThat(transport.status().recoveries())
              .as("the connections stay up across token lifetimes")
              .isZero();
        }
      }
      assertThat(ledger)
          .hasConfirmed(flow.published())
          .within(Duration.ofSeconds(60))
          .lostNothing("oauth2");
      org.assertj.core.api.Assertions.assertThat(ledger.report("oauth2").publishFailed()).isZero();
      org.assertj.core.api.Assertions.assertThat(endpoint.issued())
          .as("renewed at 80% of each 6 s lifetime over 18 s")
          .isBetween(3, 6);
      log.info(
          "OAuth 2: {}; {} tokens issued, {} recoveries",
          ledger.report("oauth2"),
          endpoint.issued(),
          transport.status().recoveries());
    }
  }
}
