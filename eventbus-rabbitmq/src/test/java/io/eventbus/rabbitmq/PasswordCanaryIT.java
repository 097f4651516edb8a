package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary password, used the ways a password reaches eventbus (in the URI, from a password file,
 * as a key store's password, as an OAuth client secret; right and wrong), must appear in no log
 * line, exception message or stack trace, {@code toString()}, parked event, span or metric
 * attribute. The command-line tool's output is checked the same way in eventbus-cli's tests.
 */
class PasswordCanaryIT {
  private static final String CANARY = "canary-" + UUID.randomUUID();
  private static final String WRONG = "wrong-canary-" + UUID.randomUUID();

  @TempDir static Path folder;

  private static PrivateRabbitNode node;

  @EventType("canary.order.placed.v1")
  record OrderPlaced(String orderId) {}

  static final class Failing {
    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      throw new IllegalStateException("cannot ship " + order.orderId());
    }
  }

  @BeforeAll
  static void startNode() {
    node = SharedPrivateNode.get();
    node.rabbitmqctl("add_user", "canary-user", CANARY);
    node.rabbitmqctl("set_permissions", "-p", "/", "canary-user", ".*", ".*", ".*");
  }

  /** Everything the scenarios left behind that a person or a tool may read. */
  private final List<String> seen = new ArrayList<>();

  private void saw(Object value) {
    seen.add(String.valueOf(value));
  }

  private void sawFailure(Throwable failure) {
    if (failure != null) {
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      seen.add(trace.toString());
    }
  }

  @Test
  void theCanaryPasswordAppearsNowhere() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    try (LogCapture logs = LogCapture.start();
        OpenTelemetrySdk sdk =
            OpenTelemetrySdk.builder()
                .setTracerProvider(
                    SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build()) {
      String uri = "amqp://canary-user:" + CANARY + "@127.0.0.1:" + node.port();
      RabbitTransport transport =
          RabbitTransport.builder()
              .uri(uri)
              .connectionName("canary")
              .recoveryInterval(Duration.ofMillis(200))
              .shutdownTimeout(Duration.ofSeconds(5))
              .build();
      try (EventBus bus =
          EventBus.builder()
              .transport(transport)
              .openTelemetry(sdk)
              .subscribe(
                  SubscriptionOptions.builder("canary")
                      .retryPolicy(RetryPolicy.none())
                      .redeliveryDelays()
                      .build(),
                  Handlers.scan(new Failing()))
              .build()) {
        bus.publishAndWait(new OrderPlaced("o-1"));
        RabbitDeadLetters parked = transport.deadLetters("canary");
        Await.until(Duration.ofSeconds(30), parked::count, n -> n >= 1, "a parked event");
        for (ParkedEvent event : parked.peek(10)) {
          saw(event);
        }
        node.rabbitmqctl("close_all_connections", "canary test");
        Await.until(
            Duration.ofSeconds(30),
            () -> transport.status().recoveries() >= 2,
            "both connections recovered");
        bus.publishAndWait(new OrderPlaced("o-2"));
        saw(transport);
        saw(transport.status());
        saw(bus.health());
        sawFailure(catchThrowable(() -> bus.publishAndWait(new Unregistered())));

        // Reconnecting with a password the broker no longer takes: warnings and health.
        node.rabbitmqctl("change_password", "canary-user", "changed-elsewhere");
        node.rabbitmqctl("close_all_connections", "canary test");
        saw(
            Await.until(
                Duration.ofSeconds(30),
                bus::health,
                health -> health.toString().contains("ACCESS_REFUSED"),
                "the refused login in health"));
        node.rabbitmqctl("change_password", "canary-user", CANARY);
        Await.until(
            Duration.ofSeconds(30),
            () -> transport.status().recoveries() >= 4,
            "both connections recovered again");
      }
      saw(spans.getFinishedSpanItems());
      metrics.collectAllMetrics().forEach(this::saw);

      String wrongUri = "amqp://canary-user:" + WRONG + "@127.0.0.1:" + node.port();
      sawFailure(catchThrowable(() -> RabbitTransport.builder().uri(wrongUri).build()));
      sawFailure(catchThrowable(() -> RabbitTransport.builder().uri(wrongUri + "/%zz").build()));
      sawFailure(
          catchThrowable(
              () -> RabbitTransport.builder().uri("http://u:" + CANARY + "@127.0.0.1").build()));

      Path passwordFile = Files.writeString(folder.resolve("password"), CANARY);
      CredentialsSource file = CredentialsSource.passwordFile("canary-user", passwordFile);
      saw(file.fetch());
      try (RabbitTransport fromFile =
          OperationsExamples.rotatingPassword(
              "amqp://127.0.0.1:" + node.port(), "canary-user", passwordFile)) {
        saw(fromFile);
      }
      Path wrongFile = Files.writeString(folder.resolve("wrong"), WRONG);
      sawFailure(
          catchThrowable(
              () ->
                  RabbitTransport.builder()
                      .uri("amqp://127.0.0.1:" + node.port())
                      .credentials(CredentialsSource.passwordFile("canary-user", wrongFile))
                      .build()));
      sawFailure(
          catchThrowable(
              () ->
                  RabbitTransport.builder()
                      .uri(uri)
                      .credentials(CredentialsSource.of(Credentials.of("canary-user", CANARY)))
                      .build()));

      Path notAStore = Files.writeString(folder.resolve("client.p12"), "not a key store");
      sawFailure(
          catchThrowable(
              () -> TlsSettings.builder().keyStore(notAStore, CANARY.toCharArray()).build()));
      saw(TlsSettings.builder().insecureTrustAllCertificates().build());

      OAuth2ClientCredentials oauth =
          OAuth2ClientCredentials.builder(URI.create("http://127.0.0.1:1/token"))
              .clientId("canary-client")
              .clientSecret(CANARY)
              .timeout(Duration.ofSeconds(2))
              .build();
      saw(oauth);
      sawFailure(catchThrowable(oauth::fetch));
      try (TokenEndpoint endpoint =
          new TokenEndpoint("canary-client", "other", Duration.ofMinutes(1))) {
        sawFailure(
            catchThrowable(
                () ->
                    OAuth2ClientCredentials.builder(endpoint.uri())
                        .clientId("canary-client")
                        .clientSecret(CANARY)
                        .build()
                        .fetch()));
      }
      saw(logs.text());
    }

    assertThat(seen).as("what was collected").hasSizeGreaterThan(15);
    for (String text : seen) {
      assertThat(text).doesNotContain(CANARY).doesNotContain(WRONG);
    }
    assertThat(String.join("\n", seen))
        .as("the scenarios did run: a parked event, refused logins, a warned-about reconnect")
        .contains("cannot ship o-1", "ACCESS_REFUSED", "canary-user", "cannot reconnect");
  }

  @EventType("canary.unregistered.v1")
  record Unregistered() {}
}
