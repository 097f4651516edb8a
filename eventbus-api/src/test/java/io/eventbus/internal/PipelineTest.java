package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusException;
import io.eventbus.EventContext;
import io.eventbus.EventMetadata;
import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.Handlers;
import io.eventbus.Handlers.Registration;
import io.eventbus.NonRetryable;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.codec.WireMessage;
import io.eventbus.middleware.Middleware;
import io.eventbus.middleware.Stage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pipeline's order of links, stage insertion, and the failure path from retry to parking. */
class PipelineTest {
  private static final String TYPE = "test.thing.v1";
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
          .jitter(0)
          .build();

  @EventType(TYPE)
  record Thing(String name) {}

  static final class PermanentFailure extends RuntimeException implements NonRetryable {
    PermanentFailure(String message) {
      super(message);
    }
  }

  /** What the pipeline did with one message: a recording implementation of the SPI. */
  static class Inbound implements InboundMessage {
    final WireMessage message;
    final List<String> settlements = new ArrayList<>();
    DeadLetterReason reason;
    int deliveryCount;
    Duration delay;
    Map<String, String> history;

    Inbound(WireMessage message) {
      this.message = message;
    }

    @Override
    public WireMessage message() {
      return message;
    }

    @Override
    public boolean redelivered() {
      return false;
    }

    @Override
    public int deliveryCount() {
      return deliveryCount;
    }

    @Override
    public void ack() {
      settlements.add("ack");
    }

    @Override
    public void requeue() {
      settlements.add("requeue");
    }

    @Override
    public void deadLetter(DeadLetterReason reason) {
      settlements.add("deadLetter");
      this.reason = reason;
    }

    @Override
    public void redeliverAfter(Duration delay, Map<String, String> headers) {
      settlements.add("redeliverAfter");
      this.delay = delay;
      this.history = headers;
    }

    @Override
    public void defer(Map<String, String> headers) {
      settlements.add("defer");
      this.history = headers;
    }

    /** The message the transport would deliver next: this one with the history headers. */
    Inbound next() {
      Map<String, String> headers = new LinkedHashMap<>(message.headers());
      headers.putAll(history);
      return new Inbound(new WireMessage(message.body(), message.contentType(), headers));
    }
  }

  private final List<String> trace = new ArrayList<>();

  private Middleware tracing(String name) {
    return new Middleware() {
      @Override
      public void handle(io.eventbus.middleware.DeliveryContext delivery, Middleware.Chain chain)
          throws Exception {
        trace.add(name + (delivery.isDecoded() ? "(decoded)" : "(raw)"));
        chain.proceed(delivery);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** An inbound whose dead-lettering or redelivery fails, as when the broker is unreachable. */
  static final class BrokenInbound extends Inbound {
    BrokenInbound(WireMessage message) {
      super(message);
    }

    @Override
    public void deadLetter(DeadLetterReason reason) {
      super.deadLetter(reason);
      throw new EventBusException("broker gone");
    }

    @Override
    public void redeliverAfter(Duration delay, Map<String, String> headers) {
      super.redeliverAfter(delay, headers);
      throw new EventBusException("broker gone");
    }
  }

  private static Inbound message(String body) {
    Map<String, String> headers =
        CloudEventsAttributes.toHeaders(EventMetadata.of("e-1", TYPE, "/test", NOW));
    return new Inbound(
        new WireMessage(body.getBytes(StandardCharsets.UTF_8), "application/json", headers));
  }

  /** Every wait of the retry link: recorded, never slept. */
  private final List<Duration> waits = new ArrayList<>();

  private Pipeline pipeline(SubscriptionOptions options, Handlers handlers) {
    Map<String, Registration<?>> byType = new HashMap<>();
    handlers.registrations().values().forEach(r -> byType.put(TYPE, r));
    return new Pipeline(
        options.name(),
        byType,
        () -> EventTypeRegistry.builder().register(Thing.class).build(),
        JacksonEventCodec.create(),
        options,
        Clock.fixed(NOW, ZoneOffset.UTC),
        waits::add,
        Telemetry.disabled());
  }

  @Test
  void linksRunInTheDocumentedOrderWithUserMiddlewareBeforeItsStage() {
    SubscriptionOptions.Builder options =
        SubscriptionOptions.builder("orders")
            .handlerTimeout(Duration.ofSeconds(5))
            .rateLimit(10, Duration.ofSeconds(1))
            .concurrencyLimit(2);
    for (Stage stage : Stage.values()) {
      options.addBefore(stage, tracing("before-" + stage));
    }
    Pipeline pipeline =
        pipeline(options.build(), Handlers.builder().on(Thing.class, (e, c) -> {}).build());

    assertThat(pipeline.links())
        .containsExactly(
            "user:before-LOGGING",
            "LOGGING",
            "user:before-TRACING",
            "user:before-METRICS",
            "user:before-DEAD_LETTER",
            "DEAD_LETTER",
            "user:before-DECODE",
            "DECODE",
            "user:before-DELAYED_REDELIVERY",
            "DELAYED_REDELIVERY",
            "user:before-CIRCUIT_BREAKER",
            "CIRCUIT_BREAKER",
            "user:before-RATE_LIMIT",
            "RATE_LIMIT",
            "user:before-CONCURRENCY_LIMIT",
            "CONCURRENCY_LIMIT",
            "user:before-RETRY",
            "RETRY",
            "attempt",
            "user:before-TIMEOUT",
            "TIMEOUT",
            "user:before-HANDLER");
  }

  @Test
  void middlewareBeforeRetryRunsOncePerDeliveryAndAfterItOncePerAttempt() {
    AtomicInteger calls = new AtomicInteger();
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .retryPolicy(FAST)
            .addBefore(Stage.DECODE, tracing("decode"))
            .addBefore(Stage.RETRY, tracing("retry"))
            .middleware(tracing("handler"))
            .build();
    Pipeline pipeline =
        pipeline(
            options,
            Handlers.builder()
                .on(
                    Thing.class,
                    (event, context) -> {
                      trace.add("attempt " + context.attempt());
                      if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("not yet");
                      }
                    })
                .build());
    Inbound inbound = message("{\"name\":\"a\"}");

    pipeline.accept(inbound);

    assertThat(trace)
        .containsExactly(
            "decode(raw)",
            "retry(decoded)",
            "handler(decoded)",
            "attempt 1",
            "handler(decoded)",
            "attempt 2",
            "handler(decoded)",
            "attempt 3");
    assertThat(inbound.settlements).containsExactly("ack");
    assertThat(waits).containsExactly(Duration.ofMillis(1), Duration.ofMillis(1));
  }

  @Test
  void exhaustedRetriesAreRedeliveredWithTheirHistoryThenParkedWithTheTotals() {
    List<Integer> attempts = new ArrayList<>();
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .retryPolicy(FAST)
            .redeliveryDelays(Duration.ofMillis(100), Duration.ofMillis(200))
            .build();
    Pipeline pipeline =
        pipeline(
            options,
            Handlers.builder()
                .on(
                    Thing.class,
                    (Thing event, EventContext context) -> {
                      attempts.add(context.attempt());
                      throw new IllegalStateException("down");
                    })
                .build());

    Inbound first = message("{\"name\":\"a\"}");
    pipeline.accept(first);
    assertThat(first.settlements).containsExactly("redeliverAfter");
    assertThat(first.delay).isEqualTo(Duration.ofMillis(100));
    assertThat(first.history)
        .containsEntry("eventbus-attempts", "3")
        .containsEntry("eventbus-redeliveries", "1")
        .containsEntry("eventbus-first-failure-time", NOW.toString())
        .containsEntry("eventbus-error-type", IllegalStateException.class.getName())
        .containsEntry("eventbus-error-message", "down");

    Inbound second = first.next();
    pipeline.accept(second);
    assertThat(second.settlements).containsExactly("redeliverAfter");
    assertThat(second.delay).isEqualTo(Duration.ofMillis(200));
    assertThat(second.history)
        .containsEntry("eventbus-attempts", "6")
        .containsEntry("eventbus-redeliveries", "2");

    Inbound third = second.next();
    pipeline.accept(third);
    assertThat(third.settlements).containsExactly("deadLetter");
    assertThat(third.reason.attempts()).isEqualTo(9);
    assertThat(third.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_HANDLER_FAILED);
    assertThat(third.reason.firstFailure()).isEqualTo(NOW);
    assertThat(attempts).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void theBrokersDeliveryCountRaisesTheAttemptNumber() {
    List<Integer> attempts = new ArrayList<>();
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.named("orders"),
            Handlers.builder()
                .on(Thing.class, (Thing event, EventContext c) -> attempts.add(c.attempt()))
                .build());
    Inbound requeued = message("{\"name\":\"a\"}");
    requeued.deliveryCount = 2;

    pipeline.accept(requeued);

    assertThat(attempts).containsExactly(3);
  }

  @Test
  void permanentFailuresSkipRetryAndRedeliveryByMarkerAndByType() {
    AtomicInteger calls = new AtomicInteger();
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .retryPolicy(FAST.toBuilder().nonRetryable(IllegalArgumentException.class).build())
            .redeliveryDelays(Duration.ofMillis(100))
            .build();
    for (RuntimeException failure :
        List.of(new PermanentFailure("bad order"), new IllegalArgumentException("bad field"))) {
      calls.set(0);
      Pipeline pipeline =
          pipeline(
              options,
              Handlers.builder()
                  .on(
                      Thing.class,
                      (event, context) -> {
                        calls.incrementAndGet();
                        throw failure;
                      })
                  .build());
      Inbound inbound = message("{\"name\":\"a\"}");

      pipeline.accept(inbound);

      assertThat(calls).hasValue(1);
      assertThat(inbound.settlements).containsExactly("deadLetter");
      assertThat(inbound.reason.attempts()).isEqualTo(1);
      assertThat(inbound.reason.errorType()).isEqualTo(failure.getClass().getName());
    }
  }

  @Test
  void aHandlersOwnPolicyOverridesTheSubscriptions() {
    AtomicInteger calls = new AtomicInteger();
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("orders").retryPolicy(FAST).redeliveryDelays().build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    FAST.toBuilder().maxAttempts(5).build(),
                    (event, context) -> {
                      calls.incrementAndGet();
                      throw new IllegalStateException("down");
                    })
                .build());
    Inbound inbound = message("{\"name\":\"a\"}");

    pipeline.accept(inbound);

    assertThat(calls).hasValue(5);
    assertThat(inbound.settlements).containsExactly("deadLetter");
    assertThat(inbound.reason.attempts()).isEqualTo(5);
    assertThat(waits).hasSize(4);
  }

  @Test
  void undecodableInputIsParkedAtOnceWithoutReachingRetry() {
    SubscriptionOptions options =
        SubscriptionOptions.builder("orders")
            .retryPolicy(FAST)
            .redeliveryDelays(Duration.ofMillis(100))
            .addBefore(Stage.RETRY, tracing("retry"))
            .build();
    Pipeline pipeline = pipeline(options, Handlers.builder().on(Thing.class, (e, c) -> {}).build());
    Inbound inbound = message("{\"name\":");

    pipeline.accept(inbound);

    assertThat(trace).isEmpty();
    assertThat(inbound.settlements).containsExactly("deadLetter");
    assertThat(inbound.reason.category()).isEqualTo(DeadLetterReason.CATEGORY_DECODING_FAILED);
    assertThat(inbound.reason.attempts()).isEqualTo(1);
  }

  @Test
  void aMiddlewareThatDoesNotProceedAcknowledgesTheDelivery() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("orders")
                .addBefore(Stage.LOGGING, (delivery, chain) -> {})
                .build(),
            Handlers.builder().on(Thing.class, (e, c) -> {}).build());
    Inbound inbound = message("{\"name\":");

    pipeline.accept(inbound);

    assertThat(inbound.settlements).containsExactly("ack");
  }

  @Test
  void whenParkingOrRedeliveryFailsTheDeliveryIsRequeuedInstead() {
    Handlers failing =
        Handlers.builder()
            .on(
                Thing.class,
                (e, c) -> {
                  throw new IllegalStateException("down");
                })
            .build();
    Inbound template = message("{\"name\":\"a\"}");

    Inbound parking = new BrokenInbound(template.message);
    pipeline(
            SubscriptionOptions.builder("orders")
                .retryPolicy(RetryPolicy.none())
                .redeliveryDelays()
                .build(),
            failing)
        .accept(parking);
    Inbound redelivering = new BrokenInbound(template.message);
    pipeline(
            SubscriptionOptions.builder("orders")
                .retryPolicy(RetryPolicy.none())
                .redeliveryDelays(Duration.ofSeconds(1))
                .build(),
            failing)
        .accept(redelivering);

    assertThat(parking.settlements).containsExactly("deadLetter", "requeue");
    assertThat(redelivering.settlements).containsExactly("redeliverAfter", "requeue");
  }

  @Test
  void aVirtualMachineErrorRequeuesTheDeliveryAndIsRethrown() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("orders").retryPolicy(FAST).build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    (e, c) -> {
                      throw new OutOfMemoryError("no heap");
                    })
                .build());
    Inbound inbound = message("{\"name\":\"a\"}");

    assertThatThrownBy(() -> pipeline.accept(inbound))
        .isInstanceOf(OutOfMemoryError.class)
        .hasMessage("no heap");
    assertThat(inbound.settlements).containsExactly("requeue");
    assertThat(waits).as("an Error is never retried").isEmpty();
  }

  @Test
  void aFailureAfterTheDeliveryWasSettledDoesNotSettleItAgain() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("orders")
                .addBefore(
                    Stage.LOGGING,
                    (delivery, chain) -> {
                      chain.proceed(delivery);
                      throw new IllegalStateException("after the fact");
                    })
                .build(),
            Handlers.builder().on(Thing.class, (e, c) -> {}).build());
    Inbound inbound = message("{\"name\":\"a\"}");

    pipeline.accept(inbound);

    assertThat(inbound.settlements)
        .as("acknowledged inside, never settled twice")
        .containsExactly("ack");
  }

  @Test
  void anInterruptedHandlerIsParkedAndTheInterruptIsKept() {
    Pipeline pipeline =
        pipeline(
            SubscriptionOptions.builder("orders").retryPolicy(FAST).build(),
            Handlers.builder()
                .on(
                    Thing.class,
                    (e, c) -> {
                      throw new InterruptedException("closing");
                    })
                .build());
    Inbound inbound = message("{\"name\":\"a\"}");

    try {
      pipeline.accept(inbound);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(inbound.settlements).containsExactly("deadLetter");
    assertThat(waits).isEmpty();
  }
}
