package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static io.eventbus.testkit.assertj.EventBusAssertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusException;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.PublishException;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.spi.TransportSettings;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The testkit's {@link ConnectionCutter} between a real bus and the real broker. */
@EventBusTest(transport = TransportKind.BROKER)
class ConnectionCutterIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @EventType("tk.fault.tick.v1")
  record Tick(int n) {}

  private static Handlers ignoring() {
    return Handlers.builder().on(Tick.class, (event, context) -> {}).build();
  }

  @Test
  void latencyDelaysEveryRoundTripWithTheBroker(EventBusFixture fixture) {
    try (ConnectionCutter cutter = cutterFor(fixture)) {
      EventBus bus =
          EventBus.builder()
              .transport(
                  fixture.transport(
                      cutter.proxiedUri(fixture.broker().uri()), UnaryOperator.identity()))
              .subscribe(SubscriptionOptions.named("ticks"), ignoring())
              .build();
      bus.publishAndWait(new Tick(0));

      cutter.latency(Duration.ofMillis(150));
      long start = System.nanoTime();
      bus.publishAndWait(new Tick(1));
      Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);

      // The publish travels to the broker and its confirm back: two delayed chunks at least.
      assertThat(roundTrip).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      cutter.latency(Duration.ZERO);
      assertThat(fixture.recorder().awaitHandled("ticks", Tick.class, 2, WAIT)).hasSize(2);
    }
  }

  @Test
  void aFrozenLinkHoldsThePublishUntilItThaws(EventBusFixture fixture) throws Exception {
    try (ConnectionCutter cutter = cutterFor(fixture)) {
      EventBus bus =
          EventBus.builder()
              .transport(
                  fixture.transport(
                      cutter.proxiedUri(fixture.broker().uri()), UnaryOperator.identity()))
              .subscribe(SubscriptionOptions.named("ticks"), ignoring())
              .build();

      cutter.freeze();
      CompletableFuture<PublishReceipt> publish = bus.publish(new Tick(1)).toCompletableFuture();
      assertThatThrownBy(() -> publish.get(300, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);
      cutter.unfreeze();

      assertThat(publish.get(WAIT.toSeconds(), TimeUnit.SECONDS).eventId()).isNotBlank();
      assertThat(fixture.recorder().awaitHandled("ticks", Tick.class, 1, WAIT)).hasSize(1);
    }
  }

  @Test
  void cutConnectionsFailPublishesAndLoseNothingConfirmed(EventBusFixture fixture) {
    try (ConnectionCutter cutter = cutterFor(fixture)) {
      String viaCutter = cutter.proxiedUri(fixture.broker().uri());
      UnaryOperator<TransportSettings.Builder> shortTimeouts =
          builder -> builder.publishTimeout(Duration.ofSeconds(2));
      EventBus cutOff =
          EventBus.builder()
              .transport(fixture.transport(viaCutter, shortTimeouts))
              .subscribe(SubscriptionOptions.named("shipping"), ignoring())
              .build();
      for (int i = 0; i < 20; i++) {
        cutOff.publishAndWait(new Tick(i));
      }
      fixture.recorder().awaitHandled("shipping", Tick.class, 20, WAIT);
      assertThat(cutter.connectionCount()).isEqualTo(2);

      cutter.cutAll();
      cutter.refuseNewConnections();

      assertThat(cutter.connectionCount()).isZero();
      assertThatThrownBy(() -> cutOff.publishAndWait(new Tick(99)))
          .isInstanceOf(PublishException.class);
      assertThatThrownBy(() -> fixture.transport(viaCutter, shortTimeouts))
          .isInstanceOf(EventBusException.class)
          .hasMessageContaining("Could not connect");

      // Published directly while the consumer is cut off: confirmed, so they must not be lost.
      EventBus direct = fixture.busBuilder().register(Tick.class).build();
      for (int i = 20; i < 30; i++) {
        direct.publishAndWait(new Tick(i));
      }
      cutter.acceptNewConnections();
      EventBus.builder()
          .transport(fixture.transport(viaCutter, shortTimeouts))
          .subscribe(SubscriptionOptions.named("shipping"), ignoring())
          .build();

      assertThat(fixture.ledger()).within(WAIT).lostNothing("shipping").hasConfirmed(30);
      assertThat(fixture.ledger().report().publishFailed()).isEqualTo(1);
    }
  }

  private static ConnectionCutter cutterFor(EventBusFixture fixture) {
    return ConnectionCutter.start(fixture.broker().host(), fixture.broker().port());
  }
}
