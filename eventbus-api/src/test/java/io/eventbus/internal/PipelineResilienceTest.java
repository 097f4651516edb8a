package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventMetadata;
import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.Handlers.Registration;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.internal.CircuitTest.FakeSubscription;
import io.eventbus.internal.PipelineTest.Inbound;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The circuit breaker, back-off and limit links inside the real pipeline: what each delivery's
 * settlement becomes, which attempts the handler sees, and what the transport is asked. Time is a
 * manual clock and scheduler, and a manual ticker that the sleeper advances: nothing sleeps.
 */
class PipelineResilienceTest {
  private static final String TYPE = "test.thing.v1";
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @EventType(TYPE)
  record Thing(String name) {}

  private final ManualScheduler time = new ManualScheduler(START);
  private final FakeSubscription transport = new FakeSubscription();
  private final AtomicLong ticker = new AtomicLong();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  private Pipeline pipeline(SubscriptionOptions options, Handlers handlers) {
    Map<String, Registration<?>> byType = new HashMap<>();
    handlers.registrations().values().forEach(r -> byType.put(TYPE, r));
    SubscriptionControl control = new SubscriptionControl(options.name());
    control.attach(transport);
    return new Pipeline(
        options.name(),
        byType,
        () -> EventTypeRegistry.builder().register(Thing.class).build(),
        JacksonEventCodec.create(),
        options,
        time,
        duration -> {
          sleeps.add(duration);
          ticker.addAndGet(duration.toNanos());
        },
        Telemetry.disabled(),
        control,
        time,
        ticker::get);
  }

  private static Inbound message(String id) {
    Map<String, String> headers =
        CloudEventsAttributes.toHeaders(EventMetadata.of(id, TYPE, "/test", START));
    return new Inbound(
        new WireMessage(
            "{\"name\":\"n\"}".getBytes(StandardCharsets.UTF_8), "application/json", headers));
  }

  /** Runs one delivery on another thread: it may wait in the pipeline. */
  private static CompletableFuture<Void> deliver(Pipeline pipeline, Inbound inbound) {
    return CompletableFuture.runAsync(() -> pipeline.accept(inbound));
  }

  private static final CircuitBreakerPolicy TRIPS_AFTER_TWO =
      CircuitBreakerPolicy.builder()
          .slidingWindow(2)
          .minimumCalls(2)
          .failureRateThreshold(50)
          .openDuration(Duration.ofSeconds(10))
          .probes(1)
          .build();

  /** A handler whose dependency is down until told, recording each event's attempts. */
  private static final class FlakyHandler {
    final AtomicBoolean down = new AtomicBoolean(true);
    final Map<String, List<Integer>> attempts = new java.util.concurrent.ConcurrentHashMap<>();

    Handlers handlers() {
      return Handlers.builder()
          .on(
              Thing.class,
              (event, context) -> {
                attempts
                    .computeIfAbsent(context.metadata().id(), id -> new CopyOnWriteArrayList<>())
                    .add(context.attempt());
                if (down.get()) {
                  throw new IllegalStateException("payment service down");
                }
              })
          .build();
    }
  }

  private static SubscriptionOptions.Builder breakerOptions() {
    return SubscriptionOptions.builder("payments")
        .retryPolicy(RetryPolicy.none())
        .redeliveryDelays(Duration.ofSeconds(1))
        .circuitBreaker(TRIPS_AFTER_TWO);
  }

  @Test
  void anOpenCircuitGivesAnUnorderedDeliveryBackWithItsHistoryAndParksNothing() {
    FlakyHandler handler = new FlakyHandler();
    Pipeline pipeline = pipeline(breakerOptions().build(), handler.handlers());
    Inbound first = message("e-1");
    Inbound second = message("e-2");

    pipeline.accept(first);
    pipeline.accept(second);

    assertThat(first.settlements).as("closed: fails on as usual").containsExactly("redeliverAfter");
    assertThat(second.settlements).as("open: given back for later").containsExactly("defer");
    assertThat(second.history)
        .containsEntry("eventbus-attempts", "1")
        .containsEntry("eventbus-redeliveries", "0")
        .containsKey("eventbus-first-failure-time");
    assertThat(transport.calls).containsExactly("pause");
    Inbound fresh = message("e-3");
    pipeline.accept(fresh);
    assertThat(fresh.settlements).containsExactly("defer");
    assertThat(fresh.history).as("never ran: goes back unchanged").isEmpty();

    handler.down.set(false);
    time.advance(Duration.ofSeconds(10));
    Inbound again = second.next();
    pipeline.accept(again);

    assertThat(again.settlements).containsExactly("ack");
    assertThat(handler.attempts.get("e-2")).as("attempts continue").containsExactly(1, 2);
    assertThat(pipeline.circuit().state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(transport.calls).containsExactly("pause", "resume");
  }

  @Test
  void anOpenCircuitHoldsAnOrderedDeliveryAndRunsItAgainAsAProbe() throws Exception {
    FlakyHandler handler = new FlakyHandler();
    Pipeline pipeline =
        pipeline(
            breakerOptions().ordering(SubscriptionOptions.Ordering.ORDERED).build(),
            handler.handlers());
    Inbound first = message("e-1");
    Inbound second = message("e-2");

    pipeline.accept(first);
    CompletableFuture<Void> waiting = deliver(pipeline, second);
    CircuitTest.awaitHeld(pipeline.circuit(), 1);

    assertThat(second.settlements).as("open: held, unsettled, in order").isEmpty();
    assertThat(transport.calls).containsExactly("pause");
    handler.down.set(false);
    time.advance(Duration.ofSeconds(10));
    waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(second.settlements).containsExactly("ack");
    assertThat(handler.attempts.get("e-2")).as("attempts continue").containsExactly(1, 2);
    assertThat(transport.calls).containsExactly("pause", "resume");
  }

  @Test
  void aRefusedDependencyIsNeitherRetriedNorParkedAndTheRefusedAttemptDoesNotCount()
      throws Exception {
    CircuitBreaker gateway = CircuitBreaker.ofDefaults("payment-gateway");
    gateway.transitionToOpenState();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    Handlers handlers =
        Handlers.builder()
            .on(
                Thing.class,
                (event, context) -> {
                  attempts.add(context.attempt());
                  gateway.executeRunnable(() -> {});
                })
            .build();
    Pipeline unordered =
        pipeline(
            SubscriptionOptions.builder("payments").retryPolicy(RetryPolicy.defaults()).build(),
            handlers);
    Inbound given = message("e-1");

    unordered.accept(given);

    assertThat(attempts).as("not retried in process").containsExactly(1);
    assertThat(sleeps).as("no retry back-off").isEmpty();
    assertThat(given.settlements).containsExactly("defer");
    assertThat(given.history).as("the refused attempt does not count").isEmpty();
    assertThat(transport.calls).containsExactly("pause");
    time.advance(Circuit.DEFAULT_BACKOFF);
    assertThat(transport.calls).containsExactly("pause", "resume");

    Pipeline ordered =
        pipeline(
            SubscriptionOptions.builder("ordered")
                .ordering(SubscriptionOptions.Ordering.ORDERED)
                .retryPolicy(RetryPolicy.defaults())
                .build(),
            handlers);
    Inbound held = message("e-2");
    CompletableFuture<Void> waiting = deliver(ordered, held);
    CircuitTest.awaitHeld(ordered.circuit(), 1);
    gateway.transitionToClosedState();
    time.advance(Circuit.DEFAULT_BACKOFF);
    waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(held.settlements).containsExactly("ack");
    assertThat(attempts).as("the same attempt again").containsExactly(1, 1, 1);
  }

  @Test
  void aPermanentFailureIsParkedAtOnceEvenWithACircuitBreaker() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("payments")
                .retryPolicy(
                    RetryPolicy.builder().nonRetryable(IllegalArgumentException.class).build())
                .circuitBreaker(
                    TRIPS_AFTER_TWO.toBuilder().minimumCalls(1).slidingWindow(1).build())
                .build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    (event, context) -> {
                      throw new IllegalArgumentException("bad order");
                    })
                .build());
    Inbound inbound = message("e-1");

    pipeline.accept(inbound);

    assertThat(inbound.settlements).containsExactly("deadLetter");
    assertThat(pipeline.circuit().state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void closingThePipelineReturnsTheWaitingDeliveriesToTheirQueue() throws Exception {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("payments")
                .ordering(SubscriptionOptions.Ordering.ORDERED)
                .retryPolicy(RetryPolicy.none())
                .circuitBreaker(
                    TRIPS_AFTER_TWO.toBuilder().minimumCalls(1).slidingWindow(1).build())
                .build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    (event, context) -> {
                      throw new IllegalStateException("down");
                    })
                .build());
    Inbound inbound = message("e-1");
    CompletableFuture<Void> waiting = deliver(pipeline, inbound);
    CircuitTest.awaitHeld(pipeline.circuit(), 1);

    pipeline.close();
    waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(inbound.settlements).containsExactly("requeue");
    Inbound late = message("e-2");
    pipeline.accept(late);
    assertThat(late.settlements).containsExactly("requeue");
  }

  @Test
  void aRateLimitSpacesDeliveriesEvenlyWaitingThroughTheSleeper() {
    List<Long> startedAt = new CopyOnWriteArrayList<>();
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("carrier").rateLimit(10, Duration.ofSeconds(1)).build(),
            Handlers.builder()
                .on(Thing.class, (event, context) -> startedAt.add(ticker.get()))
                .build());

    for (int i = 0; i < 6; i++) {
      pipeline.accept(message("e-" + i));
    }

    assertThat(startedAt)
        .as("one every 100 ms, the second using the tolerance")
        .containsExactly(0L, 0L, 100_000_000L, 200_000_000L, 300_000_000L, 400_000_000L);
    assertThat(sleeps).allSatisfy(sleep -> assertThat(sleep).isEqualTo(Duration.ofMillis(100)));
  }

  @Test
  void aLongRateLimitWaitSleepsInSlicesAndAClosedPipelineReturnsTheDelivery() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("carrier").rateLimit(1, Duration.ofSeconds(1)).build(),
            Handlers.builder().on(Thing.class, (event, context) -> {}).build());
    pipeline.accept(message("e-1"));
    pipeline.accept(message("e-2"));
    Inbound third = message("e-3");

    pipeline.accept(third);

    assertThat(sleeps).hasSize(10).allSatisfy(s -> assertThat(s).isEqualTo(Duration.ofMillis(100)));
    assertThat(third.settlements).containsExactly("ack");
    pipeline.close();
    Inbound late = message("e-4");
    pipeline.accept(late);
    assertThat(late.settlements).containsExactly("requeue");
  }

  @Test
  void aConcurrencyLimitIsNeverExceededAndTheOthersWaitHoldingTheirDelivery() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("carrier").concurrency(6).concurrencyLimit(2).build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    (event, context) -> {
                      most.accumulateAndGet(running.incrementAndGet(), Math::max);
                      try {
                        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                      } finally {
                        running.decrementAndGet();
                      }
                    })
                .build());
    List<Inbound> inbounds = List.of(message("a"), message("b"), message("c"), message("d"));
    List<CompletableFuture<Void>> deliveries =
        inbounds.stream().map(inbound -> deliver(pipeline, inbound)).toList();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (running.get() < 2) {
      assertThat(System.nanoTime()).as("two handlers running").isLessThan(deadline);
      Thread.onSpinWait();
    }

    assertThat(inbounds.stream().filter(i -> i.settlements.isEmpty()).count()).isEqualTo(4);
    release.countDown();
    for (CompletableFuture<Void> delivery : deliveries) {
      delivery.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    assertThat(most.get()).isEqualTo(2);
    assertThat(inbounds).allSatisfy(i -> assertThat(i.settlements).containsExactly("ack"));
  }

  @Test
  void aConcurrencyLimitForAClassTheSubscriptionDoesNotHandleIsAConfigurationMistake() {
    assertThatThrownBy(
            () ->
                pipeline(
                    SubscriptionOptions.builder("carrier")
                        .concurrencyLimit(String.class, 1)
                        .build(),
                    Handlers.builder().on(Thing.class, (event, context) -> {}).build()))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("java.lang.String")
        .extracting("setting")
        .isEqualTo("concurrencyLimit");
  }

  @Test
  void theRefusedCallOfAHandlersBreakerIsRecognisedAlsoAsACause() {
    CircuitBreaker gateway = CircuitBreaker.ofDefaults("gateway");
    gateway.transitionToOpenState();
    RuntimeException wrapped =
        new RuntimeException(CallNotPermittedException.createCallNotPermittedException(gateway));

    assertThat(RetryPolicy.defaults().isDependencyUnavailable(wrapped)).isTrue();
    assertThat(RetryPolicy.defaults().isRetryable(wrapped)).isFalse();
  }
}
