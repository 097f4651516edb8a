package io.eventbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.RecordedDelivery.Outcome;
import io.eventbus.testkit.TestEvents.OrderPlaced;
import io.eventbus.testkit.TestEvents.PaymentCompleted;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  private final EventRecorder recorder = EventRecorder.create();

  private EventBus bus() {
    return EventBus.builder()
        .transport(recorder.record(InMemoryTransport.create()))
        .register(PaymentCompleted.class)
        .subscribe(
            SubscriptionOptions.builder("shipping")
                .retryPolicy(RetryPolicy.none())
                .redeliveryDelays()
                .build(),
            Handlers.builder()
                .on(
                    OrderPlaced.class,
                    (event, context) -> {
                      if (event.items() == 0) {
                        throw new IllegalStateException("empty order");
                      }
                    })
                .build())
        .build();
  }

  @Test
  void recordsPublishesDeliveriesAndTheLedgerTyped() {
    try (EventBus bus = bus()) {
      String handled = bus.publishAndWait(new OrderPlaced("o-1", 1)).eventId();
      String parked = bus.publishAndWait(new OrderPlaced("o-2", 0)).eventId();

      assertThat(recorder.awaitHandled(OrderPlaced.class, 1, Duration.ofSeconds(5)))
          .containsExactly(new OrderPlaced("o-1", 1));
      assertThat(recorder.awaitDeadLettered("shipping", 1, Duration.ofSeconds(5)))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.eventId()).isEqualTo(parked);
                assertThat(d.outcome()).isEqualTo(Outcome.DEAD_LETTERED);
                assertThat(d.deadLetterHeaders())
                    .containsEntry("eventbus-dead-letter-reason", "handler-failed")
                    .containsEntry("cloudEvents:id", parked);
              });
      assertThat(recorder.published(OrderPlaced.class))
          .containsExactly(new OrderPlaced("o-1", 1), new OrderPlaced("o-2", 0));
      assertThat(recorder.awaitSettled(handled, Duration.ofSeconds(5)))
          .hasValueSatisfying(d -> assertThat(d.outcome()).isEqualTo(Outcome.HANDLED));
      assertThat(recorder.ledger().report().lost()).isEmpty();
      assertThat(recorder.ledger().report().confirmed()).isEqualTo(2);
    }
  }

  @Test
  void aTimedOutAwaitListsWhatDidArrive() {
    try (EventBus bus = bus()) {
      bus.publishAndWait(new OrderPlaced("o-1", 1));
      recorder.awaitHandled(OrderPlaced.class, 1, Duration.ofSeconds(5));

      assertThatThrownBy(() -> recorder.awaitHandled(OrderPlaced.class, 2, Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining(
              "Expected 2 events of type 'tk.order.placed.v1' handled within PT0.05S but 1 arrived")
          .hasMessageContaining("subscription=shipping")
          .hasMessageContaining("Recorded 1 publishes");
    }
  }

  @Test
  void aFailedPublishIsRecordedWithItsFailure() {
    try (EventBus bus =
        EventBus.builder()
            .transport(recorder.record(InMemoryTransport.builder().failUnroutable(true).build()))
            .register(PaymentCompleted.class)
            .build()) {
      assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("o-1", 5)));

      assertThat(recorder.published())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.confirmed()).isFalse();
                assertThat(p.failure()).hasMessageContaining("NO_ROUTE");
                assertThat(p.as(PaymentCompleted.class)).isEqualTo(new PaymentCompleted("o-1", 5));
              });
      assertThat(recorder.ledger().report().publishFailed()).isEqualTo(1);
    }
  }
}
