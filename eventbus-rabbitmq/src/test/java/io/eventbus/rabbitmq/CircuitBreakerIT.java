package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker and pausing on a real broker: consumers cancelled while the circuit is open
 * and the deliveries they held given back (the queue shows no consumer), nothing dead-lettered
 * during an outage, nothing lost; an ordered subscription that keeps its consumer and its order; a
 * pause that outlives a connection recovery; and no channel holding more than its prefetch across
 * pauses.
 */
@EventBusTest(transport = TransportKind.BROKER)
class CircuitBreakerIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PAYMENT = "tk.payment.requested.v1";

  @EventType(PAYMENT)
  record PaymentRequested(String orderId, long cents) {}

  @Test
  void aHandlerFailingForTwentySecondsPausesTheSubscriptionParksNothingAndLosesNothing(
      EventBusFixture fixture) throws Exception {
    Instant recovers = Instant.now().plusSeconds(20);
    AtomicInteger failures = new AtomicInteger();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("outage")
                    .concurrency(4)
                    .prefetch(20)
                    .retryPolicy(
                        RetryPolicy.builder()
                            .maxAttempts(2)
                            .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10))
                            .build())
                    // Short on purpose: without the breaker, 20 s of failures would use up these
                    // delays and park events.
                    .redeliveryDelays(Duration.ofMillis(500), Duration.ofSeconds(1))
                    .circuitBreaker(
                        CircuitBreakerPolicy.builder()
                            .slidingWindow(10)
                            .minimumCalls(5)
                            .failureRateThreshold(50)
                            .openDuration(Duration.ofSeconds(2))
                            .probes(2)
                            .build())
                    .build(),
                Handlers.builder()
                    .on(
                        PaymentRequested.class,
                        (event, context) -> {
                          if (Instant.now().isBefore(recovers)) {
                            failures.incrementAndGet();
                            throw new IllegalStateException("the payment service is down");
                          }
                        })
                    .build())
            .build();
    String queue = fixture.queueName("outage");

    try (RawAmqp raw = RawAmqp.open(fixture)) {
      for (int i = 0; i < 40; i++) {
        bus.publishAndWait(new PaymentRequested("o-" + i, 100 + i));
      }
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 0, "no consumer at the broker");
      Health.Component open = bus.health().component("subscription:outage").orElseThrow();
      assertThat(open.status()).isEqualTo(Health.Status.DEGRADED);
      for (int i = 40; i < 80; i++) {
        bus.publishAndWait(new PaymentRequested("o-" + i, 100 + i));
      }
      Await.until(
          WAIT,
          () -> raw.messageCount(queue),
          ready -> ready >= 40,
          "the backlog building while the circuit is open");
      assertThat(fixture.recorder().deadLettered()).isEmpty();

      assertThat(fixture.ledger()).within(WAIT.plusSeconds(20)).lostNothing("outage");
      assertThat(fixture.ledger().report("outage").deadLettered()).isZero();
      assertThat(fixture.deadLetters("outage")).isEmpty();
      assertThat(fixture.recorder().handled("outage", PaymentRequested.class))
          .extracting(PaymentRequested::orderId)
          .hasSize(80)
          .doesNotHaveDuplicates();
      assertThat(failures.get()).isPositive();
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 4, "four consumers again");
      Await.until(
          WAIT,
          () -> bus.health().component("subscription:outage").orElseThrow().status(),
          status -> status == Health.Status.UP,
          "the circuit closed");
    }
  }

  @Test
  void anOrderedSubscriptionKeepsItsConsumerAndItsOrderWhileItsCircuitIsOpen(
      EventBusFixture fixture) throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    List<Long> handled = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("ordered-outage")
                    .ordering(SubscriptionOptions.Ordering.ORDERED)
                    .prefetch(10)
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .circuitBreaker(
                        CircuitBreakerPolicy.builder()
                            .slidingWindow(1)
                            .minimumCalls(1)
                            .openDuration(Duration.ofMillis(300))
                            .probes(1)
                            .build())
                    .build(),
                Handlers.builder()
                    .on(
                        PaymentRequested.class,
                        (event, context) -> {
                          if (down.get()) {
                            throw new IllegalStateException("the payment service is down");
                          }
                          handled.add(event.cents());
                        })
                    .build())
            .build();
    String queue = fixture.queueName("ordered-outage");

    try (RawAmqp raw = RawAmqp.open(fixture)) {
      for (int i = 0; i < 20; i++) {
        bus.publishAndWait(new PaymentRequested("o-" + i, i));
      }
      Await.until(
          WAIT,
          () -> bus.health().component("subscription:ordered-outage").orElseThrow().detail(),
          detail -> detail.contains("circuit open"),
          "the circuit open");
      assertThat(raw.consumerCount(queue)).as("the single active consumer stays").isEqualTo(1);
      assertThat(handled).isEmpty();
      down.set(false);

      Await.until(WAIT, handled::size, n -> n == 20, "every event handled");
      assertThat(handled).as("in publish order").isSorted().doesNotHaveDuplicates();
      assertThat(fixture.deadLetters("ordered-outage")).isEmpty();
    }
  }

  @Test
  void aPausedSubscriptionStaysPausedAcrossAConnectionRecoveryUntilItResumes(
      EventBusFixture fixture) throws Exception {
    try (ConnectionCutter cutter =
            ConnectionCutter.start(fixture.broker().host(), fixture.broker().port());
        RawAmqp raw = RawAmqp.open(fixture)) {
      Transport transport =
          fixture.transport(
              Fixtures.rabbit(fixture, cutter.proxiedUri(fixture.broker().uri()))
                  .recoveryInterval(Duration.ofMillis(200))
                  .build());
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      TransportSubscription subscription =
          transport.subscribe(
              new SubscriptionSpec("paused", Set.of(PAYMENT), 2, 10),
              inbound -> {
                received.add(inbound.message().headers().get("cloudEvents:id"));
                inbound.ack();
              });
      String queue = fixture.queueName("paused");
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 2, "two consumers");

      subscription.pause();
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 0, "no consumer when paused");
      cutter.cutAll();
      Await.until(
          WAIT,
          () -> subscription.health(),
          health -> !health.detail().contains("recovering") && health.status() == Health.Status.UP,
          "the subscription set up again after the recovery");
      raw.publish(PAYMENT, RawMessages.properties("p-1", PAYMENT), body());

      assertThat(raw.consumerCount(queue)).as("still paused after the recovery").isZero();
      Await.until(WAIT, () -> raw.messageCount(queue), n -> n == 1, "the event waiting");
      assertThat(received).isEmpty();

      subscription.resume();

      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("p-1");
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 2, "two consumers again");
    }
  }

  @Test
  void resumingNeverLetsAChannelHoldMoreThanItsPrefetch(EventBusFixture fixture) throws Exception {
    Transport transport = fixture.transport();
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    AtomicInteger handled = new AtomicInteger();
    TransportSubscription subscription =
        transport.subscribe(
            new SubscriptionSpec("prefetch", Set.of(PAYMENT), 1, 5),
            inbound -> {
              if (first.getAndSet(false)) {
                try {
                  release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              handled.incrementAndGet();
              inbound.ack();
            });
    String queue = fixture.queueName("prefetch");
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      for (int i = 0; i < 30; i++) {
        raw.publish(PAYMENT, RawMessages.properties("p-" + i, PAYMENT), body());
      }
      Await.until(WAIT, () -> raw.messageCount(queue), n -> n == 25, "five sent to the consumer");

      // A quorum queue counts a cancelled consumer until its deliveries are settled, so only the
      // ready count tells whether the channel consumed again.
      for (int cycle = 0; cycle < 3; cycle++) {
        subscription.pause();
        subscription.resume();
      }
      assertThat(raw.messageCount(queue)).as("no more than the prefetch sent").isEqualTo(25);

      release.countDown();

      Await.until(WAIT, handled::get, n -> n == 30, "every event handled");
      Await.until(WAIT, () -> raw.consumerCount(queue), n -> n == 1, "consuming again");
    }
  }

  private static byte[] body() {
    return "{\"orderId\":\"o-1\",\"cents\":100}".getBytes(StandardCharsets.UTF_8);
  }

  /** A message as the wire format asks, by hand. */
  static final class RawMessages {
    private RawMessages() {}

    static com.rabbitmq.client.AMQP.BasicProperties properties(String id, String type) {
      return new com.rabbitmq.client.AMQP.BasicProperties.Builder()
          .contentType("application/json")
          .deliveryMode(2)
          .messageId(id)
          .type(type)
          .headers(
              Map.of(
                  "cloudEvents:specversion",
                  "1.0",
                  "cloudEvents:id",
                  id,
                  "cloudEvents:source",
                  "urn:raw",
                  "cloudEvents:type",
                  type))
          .build();
    }
  }
}
