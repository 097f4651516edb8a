package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.Handled;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.Recorder;
import io.eventbus.rabbitmq.TestEvents.ShipmentDispatched;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Counting, peeking, filtering, replaying and discarding parked events from code. */
class DeadLetterToolsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private TestBroker broker;

  @BeforeEach
  void openBroker() throws Exception {
    broker = TestBroker.open();
  }

  @AfterEach
  void closeBroker() throws Exception {
    broker.close();
  }

  /** Fails while {@link #broken} is set, then records like {@link Recorder}. */
  static final class Repairable extends Recorder {
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
  void aReplayedEventReachesItsOwnHandlerAgainAndNoOtherSubscription() throws Exception {
    Repairable billing = new Repairable();
    Recorder audit = new Recorder();
    String billingName = broker.subscription("billing");
    RabbitTransport transport = broker.transport().build();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(transport)
                .subscribe(
                    SubscriptionOptions.builder(billingName)
                        .retryPolicy(RetryPolicy.none())
                        .redeliveryDelays()
                        .build(),
                    Handlers.scan(billing))
                .subscribe(broker.subscription("audit"), audit)
                .build());
    RabbitDeadLetters parked = transport.deadLetters(billingName);

    String id = bus.publishAndWait(new PaymentCompleted("o-1", 100)).eventId();
    assertThat(audit.await(1, WAIT))
        .extracting(h -> h.context().metadata().id())
        .containsExactly(id);
    awaitCount(parked, 1);

    billing.broken.set(false);
    assertThat(parked.replayAll()).isEqualTo(1);
    Handled replayed = billing.await(1, WAIT).get(0);
    bus.publishAndWait(new PaymentCompleted("o-2", 200));

    assertThat(replayed.context().metadata().id()).isEqualTo(id);
    assertThat(replayed.context().attempt()).isEqualTo(2);
    assertThat(parked.count()).isZero();
    // The audit subscription's next event is the one published after the replay: no duplicate.
    assertThat(audit.await(1, WAIT))
        .extracting(Handled::event)
        .containsExactly(new PaymentCompleted("o-2", 200));
  }

  @Test
  void parkedEventsCanBeCountedPeekedFilteredDiscardedAndReplayedSelectively() throws Exception {
    Repairable shop = new Repairable();
    String name = broker.subscription("shop");
    RabbitTransport transport = broker.transport().build();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(transport)
                .subscribe(
                    SubscriptionOptions.builder(name)
                        .retryPolicy(RetryPolicy.none())
                        .redeliveryDelays()
                        .build(),
                    Handlers.scan(shop))
                .build());
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

    assertThat(shop.await(1, WAIT))
        .extracting(Handled::event)
        .containsExactly(new ShipmentDispatched("o-1", "dhl"));
    assertThat(parked.peek(10)).extracting(ParkedEvent::eventId).containsExactly(payment);
  }

  @Test
  void exportHandsOverTheBodiesAndLeavesEverythingParked() throws Exception {
    Repairable shop = new Repairable();
    String name = broker.subscription("shop");
    RabbitTransport transport = broker.transport().build();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(transport)
                .subscribe(
                    SubscriptionOptions.builder(name)
                        .retryPolicy(RetryPolicy.none())
                        .redeliveryDelays()
                        .build(),
                    Handlers.scan(shop))
                .build());
    RabbitDeadLetters parked = transport.deadLetters(name);
    String payment = bus.publishAndWait(new PaymentCompleted("o-1", 1)).eventId();
    String shipment = bus.publishAndWait(new ShipmentDispatched("o-2", "dhl")).eventId();
    awaitCount(parked, 2);

    List<String> exported = new java.util.ArrayList<>();
    int count =
        parked.export(
            ParkedEvent.ofType("it.shipment.dispatched.v1"),
            (event, body) ->
                exported.add(
                    event.eventId()
                        + " "
                        + new String(body, java.nio.charset.StandardCharsets.UTF_8)));

    assertThat(count).isEqualTo(1);
    assertThat(exported).containsExactly(shipment + " {\"orderId\":\"o-2\",\"carrier\":\"dhl\"}");
    assertThat(parked.count()).isEqualTo(2);
    // A quorum queue puts returned messages at its back: looking at one must not rotate it.
    assertThat(parked.peek(1)).extracting(ParkedEvent::eventId).containsExactly(payment);
    assertThat(parked.peek(1)).extracting(ParkedEvent::eventId).containsExactly(payment);
    assertThat(parked.peek(10)).extracting(ParkedEvent::eventId).containsExactly(payment, shipment);
  }

  @Test
  void anOperationFailsFastWhileAnotherHoldsTheQueueAndChangesNothing() throws Exception {
    Repairable shop = new Repairable();
    String name = broker.subscription("shop");
    RabbitTransport transport = broker.transport().build();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(transport)
                .subscribe(
                    SubscriptionOptions.builder(name)
                        .retryPolicy(RetryPolicy.none())
                        .redeliveryDelays()
                        .build(),
                    Handlers.scan(shop))
                .build());
    RabbitDeadLetters parked = transport.deadLetters(name);
    bus.publishAndWait(new PaymentCompleted("o-1", 1));
    awaitCount(parked, 1);
    shop.broken.set(false);
    String lock = broker.topology.deadLetterQueue(name) + ".lock";

    java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
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
    try (RabbitTransport other = broker.transport().connectionName("eventbus-it-other").build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.deadLetters(name).replayAll())
          .isInstanceOf(DeadLettersBusyException.class)
          .hasMessageContaining(lock);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> parked.discard(event -> true))
          .as("a second operation in the same process")
          .isInstanceOf(DeadLettersBusyException.class);
    } finally {
      release.countDown();
      exporter.join(10_000);
    }
    assertThat(parked.count()).isEqualTo(1);
    assertThat(parked.replayAll()).as("the lock is released afterwards").isEqualTo(1);
    assertThat(shop.await(1, WAIT)).hasSize(1);
  }

  private static void awaitCount(RabbitDeadLetters parked, long expected) throws Exception {
    long until = System.nanoTime() + WAIT.toNanos();
    while (parked.count() != expected && System.nanoTime() < until) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertThat(parked.count()).isEqualTo(expected);
  }
}
