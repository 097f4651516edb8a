package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.Health.Status;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link EventBus#health()} on a real broker: connection loss, a stalled and a gone consumer. */
@EventBusTest(transport = TransportKind.BROKER)
class HealthIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration CHECK_EVERY = Duration.ofMillis(100);

  @EventType("tk.health.tick.v1")
  record Tick(int n) {}

  @Test
  void aCutConnectionMakesTheBusDownUntilItRecovers(EventBusFixture fixture) {
    try (ConnectionCutter cutter =
        ConnectionCutter.start(fixture.broker().host(), fixture.broker().port())) {
      EventBus bus =
          EventBus.builder()
              .transport(
                  fixture.transport(
                      Fixtures.rabbit(fixture, cutter.proxiedUri(fixture.broker().uri()))
                          .healthCheckInterval(CHECK_EVERY)
                          .recoveryInterval(Duration.ofMillis(200))
                          .build()))
              .subscribe(SubscriptionOptions.named("ticks"), ignoring())
              .build();
      awaitHealth(bus, h -> h.status() == Status.UP, "up at first");

      cutter.refuseNewConnections();
      cutter.cutAll();

      Health down =
          awaitHealth(
              bus,
              h ->
                  h.status() == Status.DOWN
                      && h.component("connection:publish").orElseThrow().status() == Status.DOWN
                      && h.component("connection:consume").orElseThrow().status() == Status.DOWN,
              "down after the cut");
      assertThat(down.component("connection:consume").orElseThrow().details())
          .containsEntry("state", "RECOVERING");
      assertThat(down.component("subscription:ticks").orElseThrow().detail())
          .contains("recovering");

      cutter.acceptNewConnections();

      Health up = awaitHealth(bus, h -> h.status() == Status.UP, "up after recovery");
      assertThat(up.component("connection:publish").orElseThrow().details())
          .containsEntry("recoveries", 1L);
      bus.publishAndWait(new Tick(1));
    }
  }

  @Test
  void aHandlerBlockedWhileMessagesWaitMakesItsSubscriptionStalled(EventBusFixture fixture)
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    EventBus bus =
        EventBus.builder()
            .transport(
                fixture.transport(
                    Fixtures.rabbit(fixture).healthCheckInterval(CHECK_EVERY).build()))
            .subscribe(
                SubscriptionOptions.builder("slow")
                    .prefetch(1)
                    .stallTimeout(Duration.ofMillis(500))
                    .build(),
                Handlers.builder()
                    .on(
                        Tick.class,
                        (event, context) -> release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .build())
            .build();
    for (int i = 0; i < 3; i++) {
      bus.publishAndWait(new Tick(i));
    }

    Health stalled =
        awaitHealth(
            bus,
            h -> h.component("subscription:slow").orElseThrow().status() == Status.DOWN,
            "stalled");
    assertThat(stalled.status()).isEqualTo(Status.DOWN);
    Health.Component slow = stalled.component("subscription:slow").orElseThrow();
    assertThat(slow.detail()).startsWith("stalled: ").contains("messages ready in");
    assertThat(slow.details()).containsEntry("inFlight", 1).containsEntry("activeConsumers", 1);
    assertThat(stalled.component("connection:consume").orElseThrow().status()).isEqualTo(Status.UP);

    release.countDown();

    awaitHealth(bus, h -> h.status() == Status.UP, "up once the handler moves again");
    assertThat(fixture.recorder().awaitHandled("slow", Tick.class, 3, WAIT)).hasSize(3);
  }

  @Test
  void aConsumerTheBrokerCancelledIsReportedUntilItIsBack(EventBusFixture fixture)
      throws Exception {
    EventBus bus =
        EventBus.builder()
            .transport(
                fixture.transport(
                    Fixtures.rabbit(fixture).healthCheckInterval(CHECK_EVERY).build()))
            .subscribe(SubscriptionOptions.named("victim"), ignoring())
            .build();
    awaitHealth(bus, h -> h.status() == Status.UP, "up at first");
    String queue = fixture.queueName("victim");
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(fixture.broker().uri());
    try (Connection admin = factory.newConnection("health-it-admin");
        Channel channel = admin.createChannel()) {
      // Deleting the queue cancels our consumer; a classic queue in its place keeps the
      // subscription from declaring its quorum queue again, so the consumer stays gone.
      channel.queueDelete(queue);
      channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));

      Health gone =
          awaitHealth(
              bus,
              h -> h.component("subscription:victim").orElseThrow().status() == Status.DOWN,
              "consumer gone");
      assertThat(gone.component("subscription:victim").orElseThrow().detail())
          .startsWith("0 of 1 consumers active");

      channel.queueDelete(queue);
    }

    awaitHealth(bus, h -> h.status() == Status.UP, "up once the consumer is back");
    bus.publishAndWait(new Tick(7));
    assertThat(fixture.recorder().awaitHandled("victim", Tick.class, 1, WAIT)).hasSize(1);
  }

  private static Handlers ignoring() {
    return Handlers.builder().on(Tick.class, (event, context) -> {}).build();
  }

  static Health awaitHealth(EventBus bus, Predicate<Health> wanted, String what) {
    return Await.until(WAIT, bus::health, wanted, "the bus to be " + what);
  }
}
