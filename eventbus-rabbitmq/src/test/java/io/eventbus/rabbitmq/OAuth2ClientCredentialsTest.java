package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a token endpoint served on loopback by the test. */
class OAuth2ClientCredentialsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private HttpServer server;
  private volatile int status = 200;
  private volatile String answer = "{}";
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/token",
        exchange -> {
          requests.add(
              exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private OAuth2ClientCredentials source() {
    return OAuth2ClientCredentials.builder(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token"))
        .clientId("orders")
        .clientSecret("client-secret-canary")
        .scope("rabbitmq.read:*/*")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .build();
  }

  @Test
  void aTokenIsTheClientsPasswordUntilItExpires() {
    answer = "{\"access_token\":\"token-1\",\"token_type\":\"bearer\",\"expires_in\":300}";

    Credentials credentials = source().fetch();

    assertThat(credentials).isEqualTo(new Credentials("orders", "token-1", NOW.plusSeconds(300)));
    String basic =
        Base64.getEncoder()
            .encodeToString("orders:client-secret-canary".getBytes(StandardCharsets.UTF_8));
    assertThat(requests)
        .containsExactly(
            "Basic " + basic + " grant_type=client_credentials&scope=rabbitmq.read%3A*%2F*");
  }

  @Test
  void withoutExpiresInTheTokensOwnExpiryCounts() {
    String claims =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("{\"exp\":1767225900}".getBytes(StandardCharsets.UTF_8));
    answer = "{\"access_token\":\"e30." + claims + ".c2ln\"}";

    assertThat(source().fetch().expiresAt()).isEqualTo(Instant.ofEpochSecond(1767225900));
  }

  @Test
  void aRefusalNamesTheEndpointAndTheErrorButNoSecret() {
    status = 401;
    answer = "{\"error\":\"invalid_client\"}";

    assertThatThrownBy(() -> source().fetch())
        .isInstanceOf(EventBusException.class)
        .hasMessageContaining("HTTP 401 invalid_client")
        .hasMessageContaining("/token")
        .hasMessageNotContaining("client-secret-canary");
    assertThat(source().toString()).doesNotContain("client-secret-canary");
  }

  @Test
  void missingOrInvalidSettingsAreRefusedByBuildNamingTheSetting() {
    URI endpoint = URI.create("https://idp.example/token");
    assertThatThrownBy(
            () -> OAuth2ClientCredentials.builder(endpoint).clientSecret("s3cret").build())
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("OAuth2ClientCredentials.Builder.clientId"))
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> OAuth2ClientCredentials.builder(endpoint).clientId("orders").build())
        .hasMessage("OAuth2ClientCredentials.Builder.clientSecret is required");
    assertThatThrownBy(
            () ->
                OAuth2ClientCredentials.builder(URI.create("ftp://idp.example/token"))
                    .clientId("orders")
                    .clientSecret("s3cret")
                    .build())
        .hasMessageStartingWith("OAuth2ClientCredentials.Builder.tokenEndpoint must be an http(s)");
    assertThatThrownBy(
            () ->
                OAuth2ClientCredentials.builder(endpoint)
                    .clientId("orders")
                    .clientSecret("s3cret")
                    .timeout(java.time.Duration.ZERO)
                    .build())
        .hasMessageStartingWith("OAuth2ClientCredentials.Builder.timeout must be positive");
  }
}
