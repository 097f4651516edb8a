package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.Accepting;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.ShipmentDispatched;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Counting, peeking, filtering, replaying and discarding parked events from code. */
@EventBusTest(transport = TransportKind.BROKER)
class DeadLetterToolsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Fails while {@link #broken} is set, then accepts like {@link Accepting}. */
  static final class Repairable extends Accepting {
    final AtomicBoolean broken = new AtomicBoolean(true);

    @Override
    void on(PaymentCompleted event, EventContext context) {
      if (broken.get()) {
        throw new IllegalStateException("payment provider down");
      }
      super.on(event, context);
    }

    @Override
    void on(ShipmentDispatched event, EventContext context) {
      if (broken.get()) {
        throw new UnsupportedOperationException("carrier unknown");
      }
      super.on(event, context);
    }
  }

  @Test
  void aReplayedEventReachesItsOwnHandlerAgainAndNoOtherSubscription(EventBusFixture fixture) {
    Repairable billing = new Repairable();
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus =
        EventBus.builder()
            .transport(fixture.transport(transport))
            .subscribe(
                SubscriptionOptions.builder("billing")
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.scan(billing))
            .subscribe("audit", new Accepting())
            .build();
    RabbitDeadLetters parked = transport.deadLetters(fixture.queueName("billing"));

    String id = bus.publishAndWait(new PaymentCompleted("o-1", 100)).eventId();
    assertThat(fixture.recorder().awaitHandled("audit", PaymentCompleted.class, 1, WAIT))
        .containsExactly(new PaymentCompleted("o-1", 100));
    awaitCount(parked, 1);

    billing.broken.set(false);
    assertThat(parked.replayAll()).isEqualTo(1);
    fixture.recorder().awaitHandled("billing", PaymentCompleted.class, 1, WAIT);
    EventContext replayed = billing.contexts.get(0);
    bus.publishAndWait(new PaymentCompleted("o-2", 200));

    assertThat(replayed.metadata().id()).isEqualTo(id);
    assertThat(replayed.attempt()).isEqualTo(2);
    assertThat(parked.count()).isZero();
    // The audit subscription's next event is the one published after the replay: no duplicate.
    assertThat(fixture.recorder().awaitHandled("audit", PaymentCompleted.class, 2, WAIT))
        .containsExactly(new PaymentCompleted("o-1", 100), new PaymentCompleted("o-2", 200));
  }

  @Test
  void parkedEventsCanBeCountedPeekedFilteredDiscardedAndReplayedSelectively(
      EventBusFixture fixture) {
    Repairable shop = new Repairable();
    String name = fixture.queueName("shop");
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus =
        EventBus.builder()
            .transport(fixture.transport(transport))
            .subscribe(
                SubscriptionOptions.builder("shop")
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.scan(shop))
            .build();
    RabbitDeadLetters parked = transport.deadLetters(name);
    Instant before = Instant.now();
    String payment = bus.publishAndWait(new PaymentCompleted("o-1", 1)).eventId();
    String shipment1 = bus.publishAndWait(new ShipmentDispatched("o-1", "dhl")).eventId();
    String shipment2 = bus.publishAndWait(new ShipmentDispatched("o-2", "ups")).eventId();
    awaitCount(parked, 3);

    List<ParkedEvent> all = parked.peek(10);
    assertThat(all).extracting(ParkedEvent::eventId).containsExactly(payment, shipment1, shipment2);
    assertThat(parked.count()).as("peeking leaves them parked").isEqualTo(3);
    ParkedEvent first = all.get(0);
    assertThat(first.eventType()).isEqualTo("it.payment.completed.v1");
    assertThat(first.reason()).isEqualTo("handler-failed");
    assertThat(first.errorType()).isEqualTo(IllegalStateException.class.getName());
    assertThat(first.errorMessage()).isEqualTo("payment provider down");
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.queue()).isEqualTo(name);
    assertThat(first.lastFailure()).isAfterOrEqualTo(before.minusSeconds(1));
    assertThat(parked.peek(10, ParkedEvent.ofType("it.shipment.dispatched.v1")))
        .extracting(ParkedEvent::eventId)
        .containsExactly(shipment1, shipment2);
    assertThat(
            parked.peek(10, ParkedEvent.lastFailedBetween(before.plusSeconds(3600), Instant.MAX)))
        .isEmpty();

    assertThat(parked.discard(p -> shipment2.equals(p.eventId()))).isEqualTo(1);
    shop.broken.set(false);
    assertThat(parked.replay(ParkedEvent.failedWith(UnsupportedOperationException.class)))
        .isEqualTo(1);

    assertThat(fixture.recorder().awaitHandled("shop", ShipmentDispatched.class, 1, WAIT))
        .containsExactly(new ShipmentDispatched("o-1", "dhl"));
    assertThat(parked.peek(10)).extracting(ParkedEvent::eventId).containsExactly(payment);
  }

  @Test
  void exportHandsOverTheBodiesAndLeavesEverythingParked(EventBusFixture fixture) {
    Repairable shop = new Repairable();
    String name = fixture.queueName("shop");
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus = parkingBus(fixture, transport, shop);
    RabbitDeadLetters parked = transport.deadLetters(name);
    String payment = bus.publishAndWait(new PaymentCompleted("o-1", 1)).eventId();
    String shipment = bus.publishAndWait(new ShipmentDispatched("o-2", "dhl")).eventId();
    awaitCount(parked, 2);

    List<String> exported = new ArrayList<>();
    int count =
        parked.export(
            ParkedEvent.ofType("it.shipment.dispatched.v1"),
            (event, body) ->
                exported.add(event.eventId() + " " + new String(body, StandardCharsets.UTF_8)));

    assertThat(count).isEqualTo(1);
    assertThat(exported).containsExactly(shipment + " {\"orderId\":\"o-2\",\"carrier\":\"dhl\"}");
    assertThat(parked.count()).isEqualTo(2);
    // A quorum queue puts returned messages at its back: looking at one must not rotate it.
    assertThat(parked.peek(1)).extracting(ParkedEvent::eventId).containsExactly(payment);
    assertThat(parked.peek(1)).extracting(ParkedEvent::eventId).containsExactly(payment);
    assertThat(parked.peek(10)).extracting(ParkedEvent::eventId).containsExactly(payment, shipment);
  }

  @Test
  void anOperationFailsFastWhileAnotherHoldsTheQueueAndChangesNothing(EventBusFixture fixture)
      throws Exception {
    Repairable shop = new Repairable();
    String name = fixture.queueName("shop");
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus = parkingBus(fixture, transport, shop);
    RabbitDeadLetters parked = transport.deadLetters(name);
    bus.publishAndWait(new PaymentCompleted("o-1", 1));
    awaitCount(parked, 1);
    shop.broken.set(false);
    String lock = RabbitTopology.defaults().deadLetterQueue(name) + ".lock";

    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread exporter =
        new Thread(
            () ->
                parked.export(
                    event -> true,
                    (event, body) -> {
                      inside.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    exporter.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    try (RabbitTransport other =
        Fixtures.rabbit(fixture).connectionName("eventbus-it-other").build()) {
      assertThatThrownBy(() -> other.deadLetters(name).replayAll())
          .isInstanceOf(DeadLettersBusyException.class)
          .hasMessageContaining(lock);
      assertThatThrownBy(() -> parked.discard(event -> true))
          .as("a second operation in the same process")
          .isInstanceOf(DeadLettersBusyException.class);
    } finally {
      release.countDown();
      exporter.join(10_000);
    }
    assertThat(parked.count()).isEqualTo(1);
    assertThat(parked.replayAll()).as("the lock is released afterwards").isEqualTo(1);
    assertThat(fixture.recorder().awaitHandled("shop", PaymentCompleted.class, 1, WAIT))
        .containsExactly(new PaymentCompleted("o-1", 1));
  }

  private static EventBus parkingBus(
      EventBusFixture fixture, RabbitTransport transport, Repairable handlers) {
    return EventBus.builder()
        .transport(fixture.transport(transport))
        .subscribe(
            SubscriptionOptions.builder("shop")
                .retryPolicy(RetryPolicy.none())
                .redeliveryDelays()
                .build(),
            Handlers.scan(handlers))
        .build();
  }

  private static void awaitCount(RabbitDeadLetters parked, long expected) {
    Await.until(WAIT, parked::count, count -> count == expected, expected + " parked events");
  }
}
