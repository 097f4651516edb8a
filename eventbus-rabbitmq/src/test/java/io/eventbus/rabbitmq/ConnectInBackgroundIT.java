package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.Health.Status;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RabbitTransport.Builder#connectInBackground}: a transport built while its broker refuses
 * connections (a proxy in front of the shared broker) returns at once, is down, buffers publishes
 * and keeps subscriptions until the broker answers; without the option, build fails at once.
 */
@EventBusTest(transport = TransportKind.BROKER)
class ConnectInBackgroundIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @EventType("tk.background.tick.v1")
  record Tick(int n) {}

  @Test
  void aTransportBuiltBeforeItsBrokerAnswersIsDownThenConnectsAndDeliversWhatWaited(
      EventBusFixture fixture) throws Exception {
    try (ConnectionCutter cutter =
        ConnectionCutter.start(fixture.broker().host(), fixture.broker().port())) {
      cutter.refuseNewConnections();
      RabbitTransport transport =
          Fixtures.rabbit(fixture, cutter.proxiedUri(fixture.broker().uri()))
              .recoveryInterval(Duration.ofMillis(200))
              .healthCheckInterval(Duration.ofMillis(100))
              .connectInBackground(true)
              .build();
      CountDownLatch received = new CountDownLatch(1);
      EventBus bus =
          EventBus.builder()
              .transport(fixture.transport(transport))
              .subscribe(
                  SubscriptionOptions.named("early"),
                  Handlers.builder()
                      .on(Tick.class, (event, context) -> received.countDown())
                      .build())
              .build();

      Health down =
          HealthIT.awaitHealth(
              bus,
              h ->
                  h.component("connection:consume")
                      .orElseThrow()
                      .details()
                      .containsKey("lastFailure"),
              "down with a failed attempt");
      assertThat(down.status()).isEqualTo(Status.DOWN);
      for (String connection : new String[] {"connection:publish", "connection:consume"}) {
        Health.Component component = down.component(connection).orElseThrow();
        assertThat(component.status()).isEqualTo(Status.DOWN);
        assertThat(component.detail()).startsWith("not connected yet");
        assertThat(component.details()).containsEntry("state", "RECOVERING");
      }
      assertThat(down.component("connection:consume").orElseThrow().detail())
          .contains("the last attempt failed");
      assertThat(transport.status().publishing()).isEqualTo(ConnectionState.RECOVERING);

      CompletableFuture<PublishReceipt> published = bus.publish(new Tick(1)).toCompletableFuture();
      assertThat(received.getCount()).isEqualTo(1);
      assertThat(published).isNotDone(); // nothing can confirm it while the broker refuses

      cutter.acceptNewConnections();

      published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(received.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the subscription made before the connection received the event")
          .isTrue();
      Health up = HealthIT.awaitHealth(bus, h -> h.status() == Status.UP, "up once connected");
      assertThat(up.component("connection:publish").orElseThrow().details())
          .containsEntry("recoveries", 0L);
      assertThat(transport.status().recoveries()).isZero();
    }
  }

  @Test
  void withoutTheOptionBuildFailsAtOnceWhenTheBrokerRefuses(EventBusFixture fixture) {
    try (ConnectionCutter cutter =
        ConnectionCutter.start(fixture.broker().host(), fixture.broker().port())) {
      cutter.refuseNewConnections();
      String uri = cutter.proxiedUri(fixture.broker().uri());

      assertThatThrownBy(() -> Fixtures.rabbit(fixture, uri).build())
          .isInstanceOf(EventBusException.class)
          .isNotInstanceOf(EventBusConfigurationException.class)
          .hasMessageContaining(cutter.host() + ":" + cutter.port());
    }
  }

  @Test
  void aRefusedLoginInTheBackgroundIsTheHealthReasonNotAnException(EventBusFixture fixture) {
    URI broker = URI.create(fixture.broker().uri());
    String uri = "amqp://guest:not-the-password@" + broker.getHost() + ":" + broker.getPort();

    try (RabbitTransport transport =
        Fixtures.rabbit(fixture, uri)
            .recoveryInterval(Duration.ofMillis(200))
            .connectInBackground(true)
            .build()) {
      Health down =
          Await.until(
              WAIT,
              transport::health,
              h ->
                  h.component("connection:consume")
                      .orElseThrow()
                      .detail()
                      .contains("ACCESS_REFUSED"),
              "the refused login to be the reason");
      assertThat(down.status()).isEqualTo(Status.DOWN);
      assertThat(down.component("connection:consume").orElseThrow().detail())
          .startsWith("not connected yet")
          .doesNotContain("not-the-password");
    }
  }

  @Test
  void anInvalidUriStillFailsBuildInTheBackgroundMode(EventBusFixture fixture) {
    URI broker = URI.create(fixture.broker().uri());
    String uri = "amqp://" + broker.getHost() + ":" + broker.getPort() + "/two/segments";

    assertThatThrownBy(() -> RabbitTransport.builder().uri(uri).connectInBackground(true).build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("RabbitTransport.Builder.uri: the path of an AMQP URI");
  }
}
