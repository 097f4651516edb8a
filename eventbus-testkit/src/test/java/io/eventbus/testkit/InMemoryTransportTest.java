package io.eventbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.TestEvents.OrderPlaced;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What InMemoryTransport offers beyond the conformance suite. */
class InMemoryTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void awaitIdleReturnsOnceEverythingPublishedWasHandledOrParked() {
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("orders")
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          if (event.items() < 0) {
                            throw new IllegalArgumentException("negative");
                          }
                        })
                    .build())
            .build()) {
      for (int i = -2; i < 8; i++) {
        bus.publishAndWait(new OrderPlaced("o" + i, i));
      }
      transport.awaitIdle(WAIT);

      assertThat(transport.readyCount("orders")).isZero();
      assertThat(transport.deadLetters("orders"))
          .hasSize(2)
          .allSatisfy(d -> assertThat(d.reason()).isEqualTo("handler-failed"));
    }
  }

  @Test
  void awaitIdleNamesTheBusyQueueWhenItTimesOut() throws Exception {
    InMemoryTransport transport = InMemoryTransport.create();
    CountDownLatch release = new CountDownLatch(1);
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.named("stuck"),
                Handlers.builder()
                    .on(OrderPlaced.class, (event, context) -> release.await(5, TimeUnit.SECONDS))
                    .build())
            .build()) {
      bus.publishAndWait(new OrderPlaced("o-1", 1));

      assertThatThrownBy(() -> transport.awaitIdle(Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("stuck: 0 ready, 1 in flight");
      release.countDown();
      transport.awaitIdle(WAIT);
    }
  }

  @Test
  void messagesWaitInTheQueueForAPeerAfterTheirConsumerClosed() {
    InMemoryTransport first = InMemoryTransport.create();
    InMemoryTransport second = first.peer();
    EventRecorder recorder = EventRecorder.create();
    EventBus publisher =
        EventBus.builder()
            .transport(first)
            .subscribe(
                SubscriptionOptions.named("orders"),
                Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .build();
    publisher.close();
    assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("o-0", 0)))
        .hasMessageContaining("closed");

    EventBus other =
        EventBus.builder().transport(recorder.record(second)).register(OrderPlaced.class).build();
    other.publishAndWait(new OrderPlaced("o-1", 1));
    assertThat(second.readyCount("orders")).isEqualTo(1);
    other.subscribe(
        SubscriptionOptions.named("orders"),
        Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build());

    assertThat(recorder.awaitHandled("orders", OrderPlaced.class, 1, WAIT))
        .containsExactly(new OrderPlaced("o-1", 1));
    other.close();
  }
}
