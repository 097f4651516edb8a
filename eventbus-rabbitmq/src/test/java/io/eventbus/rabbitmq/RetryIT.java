package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.NonRetryable;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.Handled;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-process retries, delayed redelivery through the retry queues, and then parking. */
class RetryIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofMillis(100);
  private static final Duration LONGER = Duration.ofMillis(300);
  private static final RetryPolicy TWO_FAST_ATTEMPTS =
      RetryPolicy.builder()
          .maxAttempts(2)
          .backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(50))
          .build();

  private TestBroker broker;

  @BeforeEach
  void openBroker() throws Exception {
    broker = TestBroker.open();
  }

  @AfterEach
  void closeBroker() throws Exception {
    broker.close();
  }

  static final class InvalidPayment extends RuntimeException implements NonRetryable {
    InvalidPayment(String message) {
      super(message);
    }
  }

  /** Fails the first {@code failures} attempts with {@code failure}, then records the event. */
  static final class Flaky {
    final AtomicInteger calls = new AtomicInteger();
    final BlockingQueue<Handled> handled = new LinkedBlockingQueue<>();
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
      handled.add(new Handled(event, context));
    }

    Handled awaitHandled() throws InterruptedException {
      Handled next = handled.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(next).as("handled within " + WAIT).isNotNull();
      return next;
    }
  }

  private EventBus bus(String subscription, RetryPolicy policy, Flaky handler, Duration... delays) {
    return broker.track(
        EventBus.builder()
            .transport(broker.transport().build())
            .subscribe(
                SubscriptionOptions.builder(subscription)
                    .retryPolicy(policy)
                    .redeliveryDelays(delays)
                    .build(),
                Handlers.builder().on(PaymentCompleted.class, handler::on).build())
            .build());
  }

  @Test
  void aTransientFailureIsHandledAfterInProcessRetriesWithTheAttemptVisible() throws Exception {
    Flaky handler = new Flaky(2, new IllegalStateException("database busy"));
    String subscription = broker.subscription("transient", SHORT);
    EventBus bus =
        bus(subscription, TWO_FAST_ATTEMPTS.toBuilder().maxAttempts(3).build(), handler, SHORT);

    bus.publishAndWait(new PaymentCompleted("o-1", 100));

    Handled handled = handler.awaitHandled();
    assertThat(handled.context().attempt()).isEqualTo(3);
    assertThat(handled.context().redelivered()).isFalse();
    assertThat(handler.calls).hasValue(3);
    assertThat(broker.messageCount(subscription + ".dlq")).isZero();
  }

  @Test
  void attemptsCountAcrossDelayedRedeliveries() throws Exception {
    Flaky handler = new Flaky(4, new IllegalStateException("payment provider down"));
    String subscription = broker.subscription("redelivered", SHORT, LONGER);
    EventBus bus = bus(subscription, TWO_FAST_ATTEMPTS, handler, SHORT, LONGER);

    Instant published = Instant.now();
    bus.publishAndWait(new PaymentCompleted("o-2", 200));

    Handled handled = handler.awaitHandled();
    assertThat(handled.context().attempt()).isEqualTo(5);
    assertThat(handled.event()).isEqualTo(new PaymentCompleted("o-2", 200));
    assertThat(Duration.between(published, Instant.now()))
        .as("waited out both delays")
        .isGreaterThanOrEqualTo(SHORT.plus(LONGER));
    assertThat(broker.messageCount(subscription + ".dlq")).isZero();
  }

  @Test
  void aPersistentFailureIsParkedWithEveryReasonHeaderAfterAllAttemptsAndDelays() throws Exception {
    Flaky handler = new Flaky(Integer.MAX_VALUE, new IllegalStateException("always down"));
    String subscription = broker.subscription("persistent", SHORT, LONGER);
    EventBus bus = bus(subscription, TWO_FAST_ATTEMPTS, handler, SHORT, LONGER);

    String id = bus.publishAndWait(new PaymentCompleted("o-3", 300)).eventId();

    GetResponse parked = broker.awaitMessages(subscription + ".dlq", 1, WAIT).get(0);
    Map<String, String> headers = text(parked.getProps().getHeaders());
    assertThat(headers)
        .containsEntry("cloudEvents:id", id)
        .containsEntry("eventbus-dead-letter-reason", "handler-failed")
        .containsEntry("eventbus-error-type", IllegalStateException.class.getName())
        .containsEntry("eventbus-error-message", "always down")
        .containsEntry("eventbus-attempts", "6")
        .containsEntry("eventbus-redeliveries", "2")
        .containsEntry("eventbus-subscription", subscription)
        .containsEntry("eventbus-queue", subscription)
        .containsEntry("eventbus-original-exchange", broker.exchange)
        .containsEntry("eventbus-original-routing-key", "it.payment.completed.v1")
        .containsKey("eventbus-error-stack-trace");
    Instant first = Instant.parse(headers.get("eventbus-first-failure-time"));
    Instant last = Instant.parse(headers.get("eventbus-last-failure-time"));
    assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(SHORT.plus(LONGER));
    assertThat(handler.calls).hasValue(6);
    assertThat(broker.messageCount(subscription)).isZero();
    assertThat(broker.messageCount(subscription + ".retry.100")).isZero();
    assertThat(broker.messageCount(subscription + ".retry.300")).isZero();
  }

  @Test
  void nonRetryableFailuresAreParkedAfterOneAttemptByTypeAndByMarker() throws Exception {
    RetryPolicy policy =
        TWO_FAST_ATTEMPTS.toBuilder().nonRetryable(IllegalArgumentException.class).build();
    for (RuntimeException failure :
        List.of(new IllegalArgumentException("bad amount"), new InvalidPayment("bad order"))) {
      Flaky handler = new Flaky(Integer.MAX_VALUE, failure);
      String subscription = broker.subscription("permanent", SHORT);
      EventBus bus = bus(subscription, policy, handler, SHORT);

      bus.publishAndWait(new PaymentCompleted("o-4", 400));

      GetResponse parked = broker.awaitMessages(subscription + ".dlq", 1, WAIT).get(0);
      assertThat(text(parked.getProps().getHeaders()))
          .containsEntry("eventbus-error-type", failure.getClass().getName())
          .containsEntry("eventbus-attempts", "1")
          .doesNotContainKey("eventbus-redeliveries");
      assertThat(handler.calls).hasValue(1);
      bus.close();
    }
  }

  private static Map<String, String> text(Map<String, Object> headers) {
    Map<String, String> text = new HashMap<>();
    headers.forEach((k, v) -> text.put(k, String.valueOf(v)));
    return text;
  }
}
