package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.NonRetryable;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * In-process retries, delayed redelivery through the retry queues, and then parking. In-process
 * waits go through an injected sleeper (never slept, but recorded); the delays of the retry queues
 * are the broker's.
 */
@EventBusTest(transport = TransportKind.BROKER)
class RetryIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofMillis(100);
  private static final Duration LONGER = Duration.ofMillis(300);
  private static final RetryPolicy TWO_FAST_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(2)
          .backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50))
          .build();

  private final List<Duration> waits = new CopyOnWriteArrayList<>();

  static final class InvalidPayment extends RuntimeException implements NonRetryable {
    InvalidPayment(String message) {
      super(message);
    }
  }

  /** Fails the first {@code failures} attempts with {@code failure}, then keeps the context. */
  static final class Flaky {
    final AtomicInteger calls = new AtomicInteger();
    final List<EventContext> handled = new CopyOnWriteArrayList<>();
    final int failures;
    final RuntimeException failure;

    Flaky(int failures, RuntimeException failure) {
      this.failures = failures;
      this.failure = failure;
    }

    void on(PaymentCompleted event, EventContext context) {
      if (calls.incrementAndGet() <= failures) {
        throw failure;
      }
      handled.add(context);
    }
  }

  private EventBus bus(
      EventBusFixture fixture,
      String subscription,
      RetryPolicy policy,
      Flaky handler,
      Duration... delays) {
    return fixture
        .busBuilder()
        .sleeper(waits::add)
        .subscribe(
            SubscriptionOptions.builder(subscription)
                .retryPolicy(policy)
                .redeliveryDelays(delays)
                .build(),
            Handlers.builder().on(PaymentCompleted.class, handler::on).build())
        .build();
  }

  @Test
  void aTransientFailureIsHandledAfterInProcessRetriesWithTheAttemptVisible(
      EventBusFixture fixture) {
    Flaky handler = new Flaky(2, new IllegalStateException("database busy"));
    EventBus bus =
        bus(
            fixture,
            "transient",
            TWO_FAST_ATTEMPTS.toBuilder().maxAttempts(3).build(),
            handler,
            SHORT);

    bus.publishAndWait(new PaymentCompleted("o-1", 100));

    fixture.recorder().awaitHandled("transient", PaymentCompleted.class, 1, WAIT);
    EventContext handled = handler.handled.get(0);
    assertThat(handled.attempt()).isEqualTo(3);
    assertThat(handled.redelivered()).isFalse();
    assertThat(handler.calls).hasValue(3);
    assertThat(waits).as("two in-process waits, through the sleeper").hasSize(2);
    assertThat(fixture.deadLetters("transient")).isEmpty();
  }

  @Test
  void attemptsCountAcrossDelayedRedeliveries(EventBusFixture fixture) {
    Flaky handler = new Flaky(4, new IllegalStateException("payment provider down"));
    EventBus bus = bus(fixture, "redelivered", TWO_FAST_ATTEMPTS, handler, SHORT, LONGER);

    Instant published = Instant.now();
    bus.publishAndWait(new PaymentCompleted("o-2", 200));

    assertThat(fixture.recorder().awaitHandled("redelivered", PaymentCompleted.class, 1, WAIT))
        .containsExactly(new PaymentCompleted("o-2", 200));
    assertThat(handler.handled.get(0).attempt()).isEqualTo(5);
    assertThat(Duration.between(published, Instant.now()))
        .as("waited out both delays")
        .isGreaterThanOrEqualTo(SHORT.plus(LONGER));
    assertThat(fixture.deadLetters("redelivered")).isEmpty();
  }

  @Test
  void aPersistentFailureIsParkedWithEveryReasonHeaderAfterAllAttemptsAndDelays(
      EventBusFixture fixture) throws Exception {
    Flaky handler = new Flaky(Integer.MAX_VALUE, new IllegalStateException("always down"));
    String subscription = "persistent";
    String queue = fixture.queueName(subscription);
    EventBus bus = bus(fixture, subscription, TWO_FAST_ATTEMPTS, handler, SHORT, LONGER);

    String id = bus.publishAndWait(new PaymentCompleted("o-3", 300)).eventId();

    fixture.recorder().awaitDeadLettered(subscription, 1, WAIT);
    Map<String, String> headers = fixture.deadLetters(subscription).get(0).message().headers();
    assertThat(headers)
        .containsEntry("cloudEvents:id", id)
        .containsEntry("eventbus-dead-letter-reason", "handler-failed")
        .containsEntry("eventbus-error-type", IllegalStateException.class.getName())
        .containsEntry("eventbus-error-message", "always down")
        .containsEntry("eventbus-attempts", "6")
        .containsEntry("eventbus-redeliveries", "2")
        .containsEntry("eventbus-subscription", subscription)
        .containsEntry("eventbus-queue", queue)
        .containsEntry("eventbus-original-exchange", fixture.exchange())
        .containsEntry("eventbus-original-routing-key", "it.payment.completed.v1")
        .containsKey("eventbus-error-stack-trace");
    Instant first = Instant.parse(headers.get("eventbus-first-failure-time"));
    Instant last = Instant.parse(headers.get("eventbus-last-failure-time"));
    assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(SHORT.plus(LONGER));
    assertThat(handler.calls).hasValue(6);
    assertThat(waits).as("one in-process wait per delivery").hasSize(3);
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      assertThat(raw.messageCount(queue)).isZero();
      assertThat(raw.messageCount(queue + ".retry.100")).isZero();
      assertThat(raw.messageCount(queue + ".retry.300")).isZero();
    }
  }

  @Test
  void nonRetryableFailuresAreParkedAfterOneAttemptByTypeAndByMarker(EventBusFixture fixture) {
    RetryPolicy policy =
        TWO_FAST_ATTEMPTS.toBuilder().nonRetryable(IllegalArgumentException.class).build();
    int round = 0;
    for (RuntimeException failure :
        List.of(new IllegalArgumentException("bad amount"), new InvalidPayment("bad order"))) {
      Flaky handler = new Flaky(Integer.MAX_VALUE, failure);
      String subscription = "permanent-" + round++;
      EventBus bus = bus(fixture, subscription, policy, handler, SHORT);

      bus.publishAndWait(new PaymentCompleted("o-4", 400));

      fixture.recorder().awaitDeadLettered(subscription, 1, WAIT);
      assertThat(fixture.deadLetters(subscription).get(0).message().headers())
          .containsEntry("eventbus-error-type", failure.getClass().getName())
          .containsEntry("eventbus-attempts", "1")
          .doesNotContainKey("eventbus-redeliveries");
      assertThat(handler.calls).hasValue(1);
      bus.close();
    }
    assertThat(waits).as("a permanent failure never waits").isEmpty();
  }
}
