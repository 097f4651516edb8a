package io.eventbus.testkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.Health.Status;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link EventBus#health()} over the in-memory transport: the same rules as on a broker. */
class InMemoryHealthTest {
  @EventType("tk.health.memo.v1")
  record Memo(int n) {}

  @Test
  void aBlockedHandlerWithMessagesWaitingStallsItsSubscriptionUntilItMovesAgain() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("memos").stallTimeout(Duration.ofMillis(300)).build(),
                Handlers.builder()
                    .on(Memo.class, (event, context) -> release.await(10, TimeUnit.SECONDS))
                    .build())
            .build()) {
      assertThat(bus.health().status()).isEqualTo(Status.UP);
      bus.publishAndWait(new Memo(1));
      bus.publishAndWait(new Memo(2));

      Health stalled =
          Await.until(
              Duration.ofSeconds(15), bus::health, h -> h.status() == Status.DOWN, "stalled");
      assertThat(stalled.problems())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.name()).isEqualTo("subscription:memos");
                assertThat(c.detail()).startsWith("stalled: 1 messages ready in memos");
              });

      release.countDown();
      transport.awaitIdle(Duration.ofSeconds(5));
      assertThat(bus.health().status()).isEqualTo(Status.UP);
    }
  }

  @Test
  void aClosedBusIsDown() {
    EventBus bus =
        EventBus.builder()
            .transport(InMemoryTransport.create())
            .subscribe(
                SubscriptionOptions.named("memos"),
                Handlers.builder().on(Memo.class, (event, context) -> {}).build())
            .build();
    assertThat(bus.health().components())
        .extracting(Health.Component::name)
        .containsExactly("transport", "subscription:memos");

    bus.close();

    assertThat(bus.health().status()).isEqualTo(Status.DOWN);
  }
}
