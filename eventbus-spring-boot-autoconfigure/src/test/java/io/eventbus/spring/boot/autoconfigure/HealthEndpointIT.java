package io.eventbus.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventHandler;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator's health endpoint over real HTTP on a random port, with the bus connected to the broker
 * through a {@link ConnectionCutter}: UP, then DOWN (and the readiness probe failing) while the
 * connection is cut, then UP again once it recovers.
 */
@EventBusTest(transport = TransportKind.BROKER)
class HealthEndpointIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Broker broker;
  private final String scope = "spring-health-" + UUID.randomUUID().toString().substring(0, 8);
  private final BrokerLeftovers leftovers;
  private final HttpClient http = HttpClient.newHttpClient();
  private ConnectionCutter cutter;
  private ConfigurableApplicationContext context;

  HealthEndpointIT(Broker broker) {
    this.broker = broker;
    this.leftovers =
        new BrokerLeftovers(broker.uri(), scope)
            .subscription(
                scope + ".audit",
                Ordering.NONE,
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1));
  }

  @BeforeEach
  void start() {
    cutter = ConnectionCutter.start(broker.host(), broker.port());
    context =
        new SpringApplicationBuilder(Application.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "it.scope=" + scope,
                "eventbus.rabbitmq.uri=" + cutter.proxiedUri(broker.uri()),
                "eventbus.rabbitmq.exchange=" + scope,
                "eventbus.rabbitmq.recovery-interval=500ms",
                "eventbus.rabbitmq.connect-timeout=2s",
                "eventbus.rabbitmq.shutdown-timeout=5s",
                "management.endpoint.health.show-details=always",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.include=readinessState,eventbus")
            .run();
  }

  @AfterEach
  void stop() throws Exception {
    if (context != null) {
      context.close();
    }
    if (cutter != null) {
      cutter.close();
    }
    leftovers.delete();
  }

  @Test
  void healthIsUpThenDownWhileTheBrokerConnectionIsCutThenUpAgain() throws Exception {
    HttpResponse<String> up = get("/actuator/health");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body())
        .contains("\"status\":\"UP\"")
        .contains("\"eventbus\"")
        .contains("\"subscription:" + scope + ".audit\"");
    assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

    cutter.refuseNewConnections();
    cutter.cutAll();

    HttpResponse<String> down =
        Await.until(
            TIMEOUT,
            () -> get("/actuator/health/readiness"),
            response -> response.statusCode() == 503,
            "readiness DOWN while the connection is cut");
    assertThat(down.body()).contains("\"status\":\"DOWN\"");
    assertThat(get("/actuator/health").body())
        .contains("\"connection:consume\":{\"status\":\"DOWN\"");

    cutter.acceptNewConnections();

    Await.until(
        TIMEOUT, () -> get("/actuator/health/readiness").statusCode() == 200, "readiness UP again");
  }

  private HttpResponse<String> get(String path) throws Exception {
    int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            // A bound for a server that hangs, not a speed check: on a loaded machine the first
            // request, which initialises the endpoint, has taken over 5 s.
            .timeout(TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Configuration(proxyBeanMethods = false)
  // No database here; the test class path has one's auto-configuration for the outbox tests.
  @EnableAutoConfiguration(exclude = DataSourceAutoConfiguration.class)
  static class Application {
    @Bean
    AuditHandlers auditHandlers() {
      return new AuditHandlers();
    }
  }

  @EventSubscription("${it.scope}.audit")
  static class AuditHandlers {
    @EventHandler
    void on(OrderPlaced order) {}
  }
}
