package io.eventbus.testkit.conformance;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static io.eventbus.testkit.assertj.EventBusAssertions.assertThatThrownBy;
import static io.eventbus.testkit.conformance.Scenarios.ORDER_PLACED;
import static io.eventbus.testkit.conformance.Scenarios.RESERVE_STOCK;
import static io.eventbus.testkit.conformance.Scenarios.headers;
import static io.eventbus.testkit.conformance.Scenarios.named;
import static io.eventbus.testkit.conformance.Scenarios.next;
import static io.eventbus.testkit.conformance.Scenarios.outbound;
import static io.eventbus.testkit.conformance.Scenarios.parkAtOnce;
import static io.eventbus.testkit.conformance.Scenarios.quickBreaker;
import static io.eventbus.testkit.conformance.Scenarios.quickRetries;
import static io.eventbus.testkit.conformance.Scenarios.send;
import static io.eventbus.testkit.conformance.Scenarios.stockResponder;
import static io.eventbus.testkit.conformance.Scenarios.validBody;
import static io.eventbus.testkit.conformance.Scenarios.waitingHandler;

import io.eventbus.DependencyUnavailableException;
import io.eventbus.EventBus;
import io.eventbus.EventDecodingException;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.RequestException;
import io.eventbus.RequestOptions;
import io.eventbus.RetryPolicy;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnroutableEventException;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.RequestHeaders;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.RecordedDelivery;
import io.eventbus.testkit.RecordedDelivery.Outcome;
import io.eventbus.testkit.conformance.Scenarios.Billing;
import io.eventbus.testkit.conformance.Scenarios.Dependency;
import io.eventbus.testkit.conformance.Scenarios.InFlight;
import io.eventbus.testkit.conformance.Scenarios.OrderPlaced;
import io.eventbus.testkit.conformance.Scenarios.PaymentCompleted;
import io.eventbus.testkit.conformance.Scenarios.ReserveStock;
import io.eventbus.testkit.conformance.Scenarios.StockReserved;
import io.eventbus.testkit.conformance.Scenarios.Undecodable;
import io.eventbus.testkit.conformance.Scenarios.Unencodable;
import io.eventbus.testkit.junit5.EventBusFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport semantics the bus relies on, written once and run unchanged against every
 * transport: the technology compatibility kit of {@link Transport}. A transport's test class
 * extends it and picks where its fixture's transports come from with {@link EventBusTest}:
 *
 * <pre>{@code
 * @EventBusTest(transport = TransportKind.BROKER)   // transports from the installed provider
 * class RabbitTransportConformanceIT extends TransportConformance {}
 * }</pre>
 *
 * <p>Every scenario goes through the real bus and the {@link EventBusFixture}'s recorder: fan-out
 * by type, competing consumers, concurrency, requeue and redelivered flags, a receiver that throws,
 * dead-lettering with the reason headers of docs/wire-format.md, in-process retry then delayed
 * redelivery then parking, malformed input, unroutable events (accepted and counted by type, or
 * failing in the strict mode), close semantics, request-reply (typed round trips, competing
 * responders, no responder, a failing responder, deadlines, headers both ways), pausing, and the
 * resilience stages over it (an open circuit and a dependency back-off pause the subscription and
 * park nothing; concurrency and rate limits hold). A broker transport is found through its {@link
 * io.eventbus.spi.TransportProvider}, which also reads the dead-letter queues.
 *
 * <h2>Thread safety</h2>
 *
 * JUnit makes an instance per test; scenarios may run in parallel on separate fixtures.
 */
public abstract class TransportConformance {
  /** How long a scenario waits for an outcome. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  /** Made by JUnit for each test of a subclass. */
  protected TransportConformance() {}

  @Test
  void anEventReachesEverySubscriptionBoundToItsTypeAndNoOther(EventBusFixture fixture) {
    EventRecorder recorder = fixture.recorder();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                named("shipping"), Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .subscribe(
                named("billing"),
                Handlers.builder()
                    .on(OrderPlaced.class, (e, c) -> {})
                    .on(PaymentCompleted.class, (e, c) -> {})
                    .build())
            .subscribe(
                named("payments-only"),
                Handlers.builder().on(PaymentCompleted.class, (e, c) -> {}).build())
            .build();

    bus.publishAndWait(new OrderPlaced("o-1", 2));
    bus.publishAndWait(new PaymentCompleted("o-1", 990));

    assertThat(recorder.awaitHandled("shipping", OrderPlaced.class, 1, WAIT))
        .containsExactly(new OrderPlaced("o-1", 2));
    assertThat(recorder.awaitHandled("billing", OrderPlaced.class, 1, WAIT)).hasSize(1);
    assertThat(recorder.awaitHandled("billing", PaymentCompleted.class, 1, WAIT)).hasSize(1);
    assertThat(recorder.awaitHandled("payments-only", PaymentCompleted.class, 1, WAIT))
        .containsExactly(new PaymentCompleted("o-1", 990));
    // One queue per subscription, in order: had the order reached payments-only, it would have
    // been settled before the payment.
    assertThat(recorder.deliveries())
        .filteredOn(d -> d.subscription().equals("payments-only"))
        .extracting(RecordedDelivery::eventType)
        .containsExactly("tk.payment.completed.v1");
    assertThat(recorder).hasNoDeadLetters();
  }

  @Test
  void instancesWithTheSameSubscriptionNameShareItsEventsWithoutDuplicates(
      EventBusFixture fixture) {
    CountDownLatch bothBusy = new CountDownLatch(2);
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    EventBus one =
        fixture.busBuilder().subscribe(named("workers"), waitingHandler(bothBusy, first)).build();
    fixture.busBuilder().subscribe(named("workers"), waitingHandler(bothBusy, second)).build();

    for (int i = 0; i < 10; i++) {
      one.publishAndWait(new OrderPlaced("o-" + i, i));
    }

    List<OrderPlaced> handled =
        fixture.recorder().awaitHandled("workers", OrderPlaced.class, 10, WAIT);
    assertThat(handled).extracting(OrderPlaced::orderId).doesNotHaveDuplicates().hasSize(10);
    assertThat(first).isNotEmpty();
    assertThat(second).isNotEmpty();
    assertThat(first.size() + second.size()).isEqualTo(10);
  }

  @Test
  void aSubscriptionHandlesUpToItsConcurrencyAtOnce(EventBusFixture fixture) {
    CountDownLatch threeBusy = new CountDownLatch(3);
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("parallel").concurrency(3).build(),
                waitingHandler(threeBusy, new CopyOnWriteArrayList<>()))
            .build();

    for (int i = 0; i < 3; i++) {
      bus.publishAndWait(new OrderPlaced("o-" + i, i));
    }

    assertThat(fixture.recorder().awaitHandled("parallel", OrderPlaced.class, 3, WAIT)).hasSize(3);
    assertThat(fixture.recorder()).hasNoDeadLetters();
  }

  @Test
  void aRequeuedMessageComesBackRedeliveredAndAnAckedOneDoesNot(EventBusFixture fixture)
      throws Exception {
    Transport transport = fixture.transport();
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    transport.subscribe(
        new SubscriptionSpec("requeue", Set.of(ORDER_PLACED), 1, 1),
        inbound -> {
          String id = inbound.message().headers().get("cloudEvents:id");
          seen.add(id + (inbound.redelivered() ? " redelivered" : " new"));
          if (inbound.redelivered()) {
            inbound.ack();
          } else {
            inbound.requeue();
          }
        });

    send(transport, "e-1", validBody());
    assertThat(next(seen, 2)).containsExactly("e-1 new", "e-1 redelivered");
    send(transport, "e-2", validBody());
    assertThat(next(seen, 2)).containsExactly("e-2 new", "e-2 redelivered");
  }

  @Test
  void aMessageWhoseReceiverThrowsIsRequeued(EventBusFixture fixture) throws Exception {
    Transport transport = fixture.transport();
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    transport.subscribe(
        new SubscriptionSpec("throwing", Set.of(ORDER_PLACED), 1, 1),
        inbound -> {
          seen.add(inbound.redelivered() ? "redelivered" : "new");
          if (!inbound.redelivered()) {
            throw new IllegalStateException("receiver failed");
          }
          inbound.ack();
        });

    send(transport, "e-1", validBody());

    assertThat(next(seen, 2)).containsExactly("new", "redelivered");
    assertThat(
            fixture
                .recorder()
                .awaitDeliveries(d -> d.outcome() == Outcome.HANDLED, "acks", 1, WAIT))
        .extracting(RecordedDelivery::redelivered)
        .containsExactly(true);
  }

  @Test
  void aHandlerExceptionParksTheEventWithItsReasonAndTheConsumerGoesOn(EventBusFixture fixture) {
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                parkAtOnce("failing"),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          if (event.items() == 0) {
                            throw new IllegalStateException("no items in " + event.orderId());
                          }
                        })
                    .build())
            .build();

    String id = bus.publishAndWait(new OrderPlaced("o-empty", 0)).eventId();
    bus.publishAndWait(new OrderPlaced("o-full", 3));

    assertThat(fixture.recorder()).event(id).wasDeadLettered().hasReason("handler-failed");
    assertThat(fixture.recorder().awaitHandled("failing", OrderPlaced.class, 1, WAIT))
        .containsExactly(new OrderPlaced("o-full", 3));
    List<DeadLetter> parked = fixture.deadLetters("failing");
    assertThat(parked).hasSize(1);
    assertThat(parked.get(0))
        .hasReason("handler-failed")
        .hasErrorType(IllegalStateException.class)
        .hasErrorMessageContaining("no items in o-empty")
        .hasSubscription("failing")
        .hasHeader("eventbus-attempts", "1")
        .hasHeader("eventbus-original-exchange", fixture.exchange())
        .hasHeader("eventbus-original-routing-key", ORDER_PLACED)
        .hasHeader("cloudEvents:id", id)
        .hasHeader("eventbus-first-failure-time")
        .hasHeader("eventbus-error-stack-trace");
    assertThat(new String(parked.get(0).message().body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"orderId\":\"o-empty\",\"items\":0}");
  }

  @Test
  void aFailingHandlerIsRetriedRedeliveredAndThenParkedWithItsHistory(EventBusFixture fixture) {
    AtomicInteger calls = new AtomicInteger();
    List<Duration> waits = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .sleeper(waits::add)
            .subscribe(
                SubscriptionOptions.builder("flaky")
                    .retryPolicy(quickRetries(2))
                    .redeliveryDelays(Duration.ofMillis(100), Duration.ofMillis(200))
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          calls.incrementAndGet();
                          throw new IllegalStateException("down");
                        })
                    .build())
            .build();

    String id = bus.publishAndWait(new OrderPlaced("o-1", 1)).eventId();

    assertThat(fixture.recorder()).event(id).wasDeadLettered().hasReason("handler-failed");
    List<DeadLetter> parked = fixture.deadLetters("flaky");
    assertThat(parked).hasSize(1);
    assertThat(calls.get()).isEqualTo(6);
    assertThat(waits).as("one in-process wait per delivery, injected").hasSize(3);
    assertThat(parked.get(0))
        .hasHeader("eventbus-attempts", "6")
        .hasHeader("eventbus-redeliveries", "2")
        .hasHeader("eventbus-original-routing-key", ORDER_PLACED);
    assertThat(
            fixture
                .recorder()
                .awaitDeliveries(
                    d -> d.outcome() == Outcome.REDELIVERY_SCHEDULED, "redeliveries", 2, WAIT))
        .hasSize(2);
  }

  @Test
  void aTransientFailureIsHandledOnALaterAttemptThatTheHandlerSees(EventBusFixture fixture) {
    BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
    List<Duration> waits = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .sleeper(waits::add)
            .subscribe(
                SubscriptionOptions.builder("transient")
                    .retryPolicy(quickRetries(2))
                    .redeliveryDelays(Duration.ofMillis(100))
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          attempts.add(context.attempt());
                          if (context.attempt() < 3) {
                            throw new IllegalStateException("not yet");
                          }
                        })
                    .build())
            .build();

    String id = bus.publishAndWait(new OrderPlaced("o-1", 1)).eventId();

    assertThat(fixture.recorder()).event(id).wasHandled();
    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(waits).containsExactly(Duration.ofMillis(10));
    assertThat(fixture.deadLetters("transient")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("io.eventbus.testkit.conformance.Scenarios#malformedInput")
  void malformedInputIsParkedWithItsReasonAndTheConsumerGoesOn(
      Map<String, String> headers,
      String contentType,
      String body,
      String reason,
      Class<? extends Throwable> error,
      EventBusFixture fixture) {
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                named("strict"), Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .build();

    fixture
        .transport()
        .send(
            new OutboundMessage(
                "raw",
                ORDER_PLACED,
                new WireMessage(body.getBytes(StandardCharsets.UTF_8), contentType, headers)))
        .toCompletableFuture()
        .join();
    bus.publishAndWait(new OrderPlaced("o-2", 2));

    assertThat(fixture.recorder().awaitHandled("strict", OrderPlaced.class, 1, WAIT))
        .containsExactly(new OrderPlaced("o-2", 2));
    assertThat(fixture.recorder().awaitDeadLettered("strict", 1, WAIT)).hasSize(1);
    List<DeadLetter> parked = fixture.deadLetters("strict");
    assertThat(parked).hasSize(1);
    assertThat(parked.get(0))
        .hasReason(reason)
        .hasErrorType(error)
        .hasHeader("eventbus-original-routing-key", ORDER_PLACED);
    assertThat(parked.get(0).message().body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
    assertThat(parked.get(0).message().contentType()).isEqualTo(contentType);
  }

  @Test
  void aTypeThatDoesNotRoundTripFailsOnTheWireNotInMemoryShortcuts(EventBusFixture fixture) {
    EventBus bus =
        fixture
            .busBuilder()
            .register(Unencodable.class)
            .subscribe(
                named("lossy"), Handlers.builder().on(Undecodable.class, (e, c) -> {}).build())
            .build();

    assertThatThrownBy(() -> bus.publishAndWait(new Unencodable(new Object())))
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("could not be encoded");
    String id = bus.publishAndWait(new Undecodable("o-1", 1)).eventId();

    assertThat(fixture.recorder())
        .event(id)
        .wasDeadLettered()
        .hasReason("decoding-failed")
        .hasErrorType(EventDecodingException.class);
  }

  @Test
  void handlersPublishFollowUpEventsThroughTheirContext(EventBusFixture fixture) {
    EventRecorder recorder = fixture.recorder();
    fixture
        .busBuilder()
        .subscribe(
            named("stock"),
            Handlers.builder()
                .on(
                    OrderPlaced.class,
                    (order, context) ->
                        context
                            .publisher()
                            .publishAndWait(
                                new StockReserved(order.orderId(), order.items(), "stock")))
                .build())
        .subscribe(named("billing"), Handlers.scan(new Billing()))
        .subscribe(
            named("audit"),
            Handlers.builder()
                .on(StockReserved.class, (e, c) -> {})
                .on(PaymentCompleted.class, (e, c) -> {})
                .build())
        .build()
        .publishAndWait(new OrderPlaced("o-1", 2));

    assertThat(recorder.awaitHandled("audit", StockReserved.class, 1, WAIT))
        .containsExactly(new StockReserved("o-1", 2, "stock"));
    assertThat(recorder.awaitHandled("audit", PaymentCompleted.class, 1, WAIT))
        .containsExactly(new PaymentCompleted("o-1", 200));
    assertThat(recorder).hasNoDeadLetters();
  }

  @Test
  void anEventNoSubscriptionIsBoundForIsAcceptedAndCountedByType(EventBusFixture fixture) {
    Transport transport = fixture.transport();
    EventBus bus =
        EventBus.builder()
            .transport(transport)
            .register(PaymentCompleted.class)
            .subscribe(
                named("orders"), Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .build();

    bus.publishAndWait(new PaymentCompleted("o-1", 100));
    bus.publishAndWait(new PaymentCompleted("o-2", 200));
    bus.publishAndWait(new OrderPlaced("o-1", 1));

    assertThat(fixture.recorder().published())
        .hasSize(3)
        .allSatisfy(p -> assertThat(p.confirmed()).isTrue());
    fixture.recorder().awaitHandled("orders", OrderPlaced.class, 1, WAIT);
    assertThat(unroutableDetails(transport))
        .containsEntry("unroutableAccepted", 2L)
        .containsEntry("unroutableByType", Map.of("tk.payment.completed.v1", 2L));
  }

  @Test
  void anEventNoSubscriptionIsBoundForFailsAsUnroutableInStrictMode(EventBusFixture fixture) {
    Transport transport = fixture.transport(settings -> settings.failUnroutable(true));
    EventBus bus =
        EventBus.builder()
            .transport(transport)
            .register(PaymentCompleted.class)
            .subscribe(
                named("orders"), Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .build();

    assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("o-1", 100)))
        .isInstanceOf(UnroutableEventException.class)
        .hasMessageContaining("tk.payment.completed.v1")
        .hasMessageContaining("NO_ROUTE");
    assertThat(fixture.recorder().published())
        .singleElement()
        .satisfies(p -> assertThat(p.confirmed()).isFalse());
    assertThat(fixture.recorder()).published(PaymentCompleted.class).isEmpty();
    assertThat(unroutableDetails(transport)).containsEntry("unroutableAccepted", 0L);
  }

  /** The details of the transport's health component that counts unroutable events. */
  private static Map<String, Object> unroutableDetails(Transport transport) {
    return transport.health().components().stream()
        .map(Health.Component::details)
        .filter(details -> details.containsKey("unroutableByType"))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "Expected a health component with the detail unroutableByType in "
                        + transport.health()));
  }

  @Test
  void aClosedTransportRejectsSendsAndSubscriptionsAndClosesTwice(EventBusFixture fixture) {
    Transport transport = fixture.transport();
    transport.close();
    transport.close();

    assertThatThrownBy(
            () -> transport.send(outbound("late", validBody())).toCompletableFuture().join())
        .cause()
        .isInstanceOf(PublishNotConfirmedException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(
            () ->
                transport.subscribe(
                    new SubscriptionSpec("late", Set.of(ORDER_PLACED), 1, 1), InboundMessage::ack))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingASubscriptionWaitsForTheHandlerInFlight(EventBusFixture fixture) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventBus bus = fixture.busBuilder().register(OrderPlaced.class).build();
    Subscription subscription =
        bus.subscribe(
            named("slow"),
            Handlers.builder()
                .on(
                    OrderPlaced.class,
                    (event, context) -> {
                      started.countDown();
                      release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    })
                .build());
    String id = bus.publishAndWait(new OrderPlaced("o-1", 1)).eventId();
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(subscription::close);
    assertThatThrownBy(() -> closing.get(200, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    release.countDown();
    closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(fixture.recorder()).event(id).wasHandled();
  }

  @Test
  void aPausedSubscriptionHandsOverNothingUntilItResumes(EventBusFixture fixture) throws Exception {
    Transport transport = fixture.transport();
    BlockingQueue<String> paused = new LinkedBlockingQueue<>();
    BlockingQueue<String> other = new LinkedBlockingQueue<>();
    TransportSubscription subscription =
        transport.subscribe(
            new SubscriptionSpec("pausable", Set.of(ORDER_PLACED), 2, 10),
            inbound -> {
              paused.add(inbound.message().headers().get("cloudEvents:id"));
              inbound.ack();
            });
    transport.subscribe(
        new SubscriptionSpec("witness", Set.of(ORDER_PLACED), 1, 10),
        inbound -> {
          other.add(inbound.message().headers().get("cloudEvents:id"));
          inbound.ack();
        });

    assertThat(subscription.pause()).isTrue();
    assertThat(subscription.pause()).as("idempotent").isTrue();
    send(transport, "e-1", validBody());
    send(transport, "e-2", validBody());
    assertThat(next(other, 2)).containsExactly("e-1", "e-2");
    assertThat(paused).as("nothing handed over while paused").isEmpty();
    assertThat(subscription.health().status()).isEqualTo(Health.Status.UP);

    subscription.resume();

    assertThat(next(paused, 2)).containsExactlyInAnyOrder("e-1", "e-2");
    send(transport, "e-3", validBody());
    assertThat(next(paused, 1)).containsExactly("e-3");
  }

  @Test
  void anOpenCircuitPausesTheSubscriptionParksNothingAndResumesWhenTheDependencyRecovers(
      EventBusFixture fixture) {
    Dependency payments = new Dependency();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("breaker")
                    .concurrency(2)
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays(Duration.ofMillis(100), Duration.ofMillis(200))
                    .circuitBreaker(quickBreaker(Duration.ofMillis(300)))
                    .build(),
                Handlers.builder()
                    .on(OrderPlaced.class, (event, context) -> payments.call(event.orderId()))
                    .build())
            .build();

    for (int i = 0; i < 10; i++) {
      bus.publishAndWait(new OrderPlaced("o-" + i, i));
    }
    Health.Component open =
        Await.until(
            WAIT,
            () -> bus.health().component("subscription:breaker").orElseThrow(),
            // The probe is scheduled just after the breaker opens and cleared just before it
            // half-opens: a snapshot in between says "open" without a probe time.
            c -> c.detail().contains("circuit open") && c.detail().contains("probing again at"),
            "the circuit to open with its next probe scheduled");

    assertThat(open.status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(fixture.recorder()).hasNoDeadLetters();
    payments.recover();
    assertThat(fixture.recorder().awaitHandled("breaker", OrderPlaced.class, 10, WAIT))
        .extracting(OrderPlaced::orderId)
        .doesNotHaveDuplicates()
        .hasSize(10);
    assertThat(fixture.recorder()).hasNoDeadLetters();
    assertThat(fixture.deadLetters("breaker")).isEmpty();
    Await.until(
        WAIT,
        () -> bus.health().component("subscription:breaker").orElseThrow().status(),
        status -> status == Health.Status.UP,
        "the circuit to close");
  }

  @Test
  void aDependencyThatRefusesCallsMakesTheSubscriptionBackOffWithoutRetriesOrDeadLetters(
      EventBusFixture fixture) {
    AtomicInteger refusals = new AtomicInteger(3);
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<Duration> retryWaits = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .sleeper(retryWaits::add)
            .subscribe(
                SubscriptionOptions.builder("backoff").retryPolicy(quickRetries(3)).build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          attempts.add(context.attempt());
                          if (refusals.getAndDecrement() > 0) {
                            throw new DependencyUnavailableException(
                                "payment-gateway", Duration.ofMillis(150), null);
                          }
                        })
                    .build())
            .build();

    String id = bus.publishAndWait(new OrderPlaced("o-1", 1)).eventId();

    assertThat(fixture.recorder()).event(id).wasHandled();
    assertThat(attempts).as("no attempt counted for a refusal").containsExactly(1, 1, 1, 1);
    assertThat(retryWaits).as("never retried in process").isEmpty();
    assertThat(fixture.recorder().deliveries())
        .as("given back while the subscription backed off, then handled")
        .extracting(RecordedDelivery::outcome)
        .containsOnly(Outcome.DEFERRED, Outcome.HANDLED)
        .endsWith(Outcome.HANDLED);
    assertThat(fixture.deadLetters("backoff")).isEmpty();
  }

  @Test
  void aConcurrencyLimitPerSubscriptionAndPerEventTypeIsNeverExceeded(EventBusFixture fixture) {
    InFlight inFlight = new InFlight();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("bulkhead")
                    .concurrency(6)
                    .concurrencyLimit(3)
                    .concurrencyLimit(PaymentCompleted.class, 1)
                    .build(),
                Handlers.builder()
                    .on(OrderPlaced.class, (event, context) -> inFlight.run("order"))
                    .on(PaymentCompleted.class, (event, context) -> inFlight.run("payment"))
                    .build())
            .build();

    for (int i = 0; i < 40; i++) {
      bus.publish(i % 4 == 0 ? new PaymentCompleted("o-" + i, i) : new OrderPlaced("o-" + i, i));
    }

    assertThat(fixture.recorder().awaitHandled("bulkhead", OrderPlaced.class, 30, WAIT))
        .hasSize(30);
    assertThat(fixture.recorder().awaitHandled("bulkhead", PaymentCompleted.class, 10, WAIT))
        .hasSize(10);
    assertThat(inFlight.most("all")).isBetween(2, 3);
    assertThat(inFlight.most("payment")).isEqualTo(1);
  }

  @Test
  void aRateLimitSpacesTheHandledEvents(EventBusFixture fixture) {
    List<Long> started = new CopyOnWriteArrayList<>();
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder("paced")
                    .concurrency(4)
                    .rateLimit(25, Duration.ofSeconds(1))
                    .build(),
                Handlers.builder()
                    .on(OrderPlaced.class, (event, context) -> started.add(System.nanoTime()))
                    .build())
            .build();

    for (int i = 0; i < 20; i++) {
      bus.publish(new OrderPlaced("o-" + i, i));
    }

    assertThat(fixture.recorder().awaitHandled("paced", OrderPlaced.class, 20, WAIT)).hasSize(20);
    // The limiter spaces the reservations; a busy machine may start one late and the next on time,
    // so only the whole run is judged: 20 events start over at least 18 intervals of 40 ms.
    List<Long> sorted = started.stream().sorted().toList();
    assertThat(sorted.get(19) - sorted.get(0))
        .as("20 events start over at least 18 intervals of 40 ms")
        .isGreaterThanOrEqualTo(Duration.ofMillis(18 * 40 - 30).toNanos());
  }

  @Test
  void aRequestIsAnsweredByItsResponderWithATypedReply(EventBusFixture fixture) {
    fixture.busBuilder().subscribe(named("stock"), stockResponder("a")).build();
    EventBus requester = fixture.busBuilder().build();

    StockReserved reply =
        requester.requestAndWait(new ReserveStock("sku-1", 2), StockReserved.class);
    List<CompletableFuture<StockReserved>> many = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      many.add(
          requester
              .request(new ReserveStock("sku-" + i, i), StockReserved.class)
              .toCompletableFuture());
    }

    assertThat(reply).isEqualTo(new StockReserved("sku-1", 2, "a"));
    for (int i = 1; i <= 20; i++) {
      assertThat(many.get(i - 1).join()).isEqualTo(new StockReserved("sku-" + i, i, "a"));
    }
  }

  @Test
  void twoResponderInstancesShareTheRequestsOfOneType(EventBusFixture fixture) throws Exception {
    CountDownLatch bothBusy = new CountDownLatch(2);
    for (String instance : List.of("a", "b")) {
      fixture
          .busBuilder()
          .subscribe(
              SubscriptionOptions.builder("stock").concurrency(1).prefetch(1).build(),
              Handlers.builder()
                  .answer(
                      ReserveStock.class,
                      (request, context) -> {
                        bothBusy.countDown();
                        bothBusy.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                        return new StockReserved(request.sku(), request.quantity(), instance);
                      })
                  .build())
          .build();
    }
    EventBus requester = fixture.busBuilder().build();

    List<CompletableFuture<StockReserved>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(
          requester
              .request(new ReserveStock("sku-" + i, 1), StockReserved.class)
              .toCompletableFuture());
    }

    List<String> by = new ArrayList<>();
    for (CompletableFuture<StockReserved> reply : replies) {
      by.add(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS).by());
    }
    assertThat(by).hasSize(10).contains("a", "b");
  }

  @Test
  void aRequestWithoutAResponderFailsAtOnceNotAtItsDeadline(EventBusFixture fixture) {
    fixture.busBuilder().subscribe(named("other"), stockResponder("a")).build().close();
    EventBus requester = fixture.busBuilder().build();

    CompletableFuture<StockReserved> reply =
        requester
            .request(
                new ReserveStock("sku-1", 1),
                StockReserved.class,
                RequestOptions.timeout(Duration.ofMinutes(5)))
            .toCompletableFuture();

    assertThatThrownBy(() -> reply.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RequestException.Reason.NO_RESPONDER);
              assertThat(e.requestType()).isEqualTo(RESERVE_STOCK);
            });
  }

  @Test
  void aResponderThatThrowsAnswersWithItsErrorTypeAndMessageButNoStackTrace(
      EventBusFixture fixture) {
    fixture.busBuilder().subscribe(named("stock"), stockResponder("a")).build();
    EventBus requester = fixture.busBuilder().build();

    assertThatThrownBy(
            () -> requester.requestAndWait(new ReserveStock("sku-9", 0), StockReserved.class))
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RequestException.Reason.RESPONDER_FAILED);
              assertThat(e.remoteType()).isEqualTo(IllegalStateException.class.getName());
              assertThat(e.remoteMessage()).isEqualTo("nothing to reserve of sku-9");
            });
    WireMessage raw =
        fixture
            .transport()
            .request(
                new OutboundMessage(
                    "raw-1",
                    RESERVE_STOCK,
                    new WireMessage(
                        "{\"sku\":\"sku-9\",\"quantity\":0}".getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        headers("raw-1", RESERVE_STOCK))),
                WAIT)
            .toCompletableFuture()
            .join();
    assertThat(raw.headers())
        .containsEntry(RequestHeaders.REPLY_STATUS, RequestHeaders.STATUS_ERROR)
        .containsEntry(RequestHeaders.ERROR_CATEGORY, RequestHeaders.CATEGORY_HANDLER_FAILED)
        .containsEntry("cloudEvents:correlationid", "raw-1")
        .doesNotContainKey("eventbus-error-stack-trace");
    assertThat(raw.body()).isEmpty();
  }

  @Test
  void aRequestPastItsDeadlineFailsAndItsResponderNeverWorksOnIt(EventBusFixture fixture)
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstStarted = new CountDownLatch(1);
    List<String> answered = new CopyOnWriteArrayList<>();
    fixture
        .busBuilder()
        .subscribe(
            SubscriptionOptions.builder("slow").concurrency(1).prefetch(1).build(),
            Handlers.builder()
                .answer(
                    ReserveStock.class,
                    (request, context) -> {
                      answered.add(request.sku());
                      if (request.sku().equals("first")) {
                        firstStarted.countDown();
                        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                      }
                      return new StockReserved(request.sku(), request.quantity(), "slow");
                    })
                .build())
        .build();
    EventBus requester = fixture.busBuilder().build();

    CompletableFuture<StockReserved> first =
        requester.request(new ReserveStock("first", 1), StockReserved.class).toCompletableFuture();
    assertThat(firstStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    CompletableFuture<StockReserved> late =
        requester
            .request(
                new ReserveStock("late", 1),
                StockReserved.class,
                RequestOptions.timeout(Duration.ofMillis(300)))
            .toCompletableFuture();

    assertThatThrownBy(() -> late.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.reason()).isEqualTo(RequestException.Reason.DEADLINE_EXCEEDED));
    release.countDown();
    assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).sku()).isEqualTo("first");
    assertThat(requester.requestAndWait(new ReserveStock("after", 1), StockReserved.class).sku())
        .isEqualTo("after");
    assertThat(answered).containsExactly("first", "after");
  }

  @Test
  void aRequestCarriesItsDeadlineAndItsReplyComesBackAsTheResponderSentIt(EventBusFixture fixture) {
    Transport responder = fixture.transport();
    responder.respond(
        new SubscriptionSpec("raw", Set.of(RESERVE_STOCK), 1, 1),
        inbound -> {
          Map<String, String> request = inbound.message().headers();
          Map<String, String> reply = headers("reply-1", "tk.stock.reserved.v1");
          reply.put("cloudEvents:correlationid", request.get("cloudEvents:id"));
          reply.put("seen-deadline", String.valueOf(request.get(RequestHeaders.DEADLINE)));
          inbound.reply(
              new WireMessage(
                  "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), "application/json", reply));
          inbound.ack();
        });
    Map<String, String> headers = headers("req-1", RESERVE_STOCK);
    headers.put(RequestHeaders.DEADLINE, "2999-01-01T00:00:00.000Z");

    WireMessage reply =
        fixture
            .transport()
            .request(
                new OutboundMessage(
                    "req-1",
                    RESERVE_STOCK,
                    new WireMessage(
                        validBody().getBytes(StandardCharsets.UTF_8), "application/json", headers)),
                WAIT)
            .toCompletableFuture()
            .join();

    assertThat(reply.headers())
        .containsEntry("cloudEvents:id", "reply-1")
        .containsEntry("cloudEvents:correlationid", "req-1")
        .containsEntry("seen-deadline", "2999-01-01T00:00:00.000Z");
    assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
    assertThat(reply.contentType()).isEqualTo("application/json");
  }

  @Test
  void aClosedTransportFailsRequestsAsClosed(EventBusFixture fixture) {
    Transport transport = fixture.transport();
    transport.close();

    assertThatThrownBy(
            () ->
                transport.request(outbound("late", validBody()), WAIT).toCompletableFuture().join())
        .cause()
        .isInstanceOfSatisfying(
            RequestException.class,
            e -> assertThat(e.reason()).isEqualTo(RequestException.Reason.CLOSED));
  }
}
