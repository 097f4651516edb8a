package io.eventbus.testkit.assertj;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
import static io.eventbus.testkit.assertj.EventBusAssertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The assertions pass on what happened and fail with messages that say what did. */
class EventBusAssertionsTest {
  @EventType("tk.assert.order.v1")
  record Order(String orderId, int items) {}

  private final EventRecorder recorder =
      EventRecorder.builder().defaultTimeout(Duration.ofSeconds(5)).build();
  private EventBus bus;
  private String handledId;
  private String parkedId;

  @BeforeEach
  void publishOneGoodAndOneBadOrder() {
    bus =
        EventBus.builder()
            .transport(recorder.record(InMemoryTransport.create()))
            .subscribe(
                SubscriptionOptions.builder("shipping")
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.builder()
                    .on(
                        Order.class,
                        (order, context) -> {
                          if (order.items() == 0) {
                            throw new IllegalStateException(
                                "nothing to ship in " + order.orderId());
                          }
                        })
                    .build())
            .build();
    handledId = bus.publishAndWait(new Order("o-1", 2)).eventId();
    parkedId = bus.publishAndWait(new Order("o-2", 0)).eventId();
  }

  @AfterEach
  void closeBus() {
    bus.close();
  }

  @Test
  void outcomesOfEventsAreAssertedByTheirIds() {
    assertThat(recorder).event(handledId).wasHandled();
    assertThat(recorder)
        .event(parkedId)
        .wasDeadLettered()
        .hasReason("handler-failed")
        .hasErrorType(IllegalStateException.class)
        .hasErrorMessageContaining("nothing to ship in o-2")
        .hasSubscription("shipping");
  }

  @Test
  void aHandledEventIsNotDeadLettered() {
    assertThatThrownBy(() -> assertThat(recorder).event(handledId).wasDeadLettered())
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Expected event [" + handledId + "] to be dead-lettered but was handled by 'shipping'");
  }

  @Test
  void aDeadLetteredEventIsNotHandled() {
    assertThatThrownBy(() -> assertThat(recorder).event(parkedId).wasHandled())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "Expected event [" + parkedId + "] to be handled but was dead-lettered by 'shipping'")
        .hasMessageContaining("nothing to ship in o-2");
  }

  @Test
  void anUnknownEventIsReportedAsNeverSettled() {
    assertThatThrownBy(
            () -> assertThat(recorder).within(Duration.ofMillis(20)).event("nope").wasHandled())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "Expected event [nope] to be handled but it was neither handled nor dead-lettered within PT0.02S")
        .hasMessageContaining("Recorded 2 publishes");
  }

  @Test
  void publishedAndHandledEventsAreTypedLists() {
    assertThat(recorder)
        .published(Order.class)
        .hasSize(2)
        .extracting(Order::orderId)
        .containsExactly("o-1", "o-2");
    recorder.awaitHandled(Order.class, 1, Duration.ofSeconds(5));
    assertThat(recorder).handledBy("shipping", Order.class).containsExactly(new Order("o-1", 2));
    assertThatThrownBy(() -> assertThat(recorder).published(Order.class).hasSize(3))
        .hasMessageContaining("events of type 'tk.assert.order.v1' published");
  }

  @Test
  void hasNoDeadLettersNamesTheParkedOnes() {
    recorder.awaitDeadLettered("shipping", 1, Duration.ofSeconds(5));
    assertThatThrownBy(() -> assertThat(recorder).hasNoDeadLetters())
        .hasMessageContaining("Expected no dead-lettered events but found")
        .hasMessageContaining(parkedId);
  }

  @Test
  void theLedgerAssertionStatesThePromiseAndListsLossesAndDuplicates() {
    assertThat(recorder.ledger())
        .within(Duration.ofSeconds(5))
        .lostNothing("shipping")
        .hasConfirmed(2);

    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordConfirmed("kept");
    ledger.recordHandled("shipping", "kept");
    ledger.recordHandled("shipping", "kept");
    ledger.recordConfirmed("gone");
    assertThatThrownBy(() -> assertThat(ledger).lostNothing())
        .hasMessageContaining("1 of 2 confirmed were lost after PT0S: [gone]")
        .hasMessageContaining("Duplicates: 1 [kept@shipping]");
    assertThatThrownBy(() -> assertThat(ledger).hasNoDuplicates())
        .hasMessageContaining("kept@shipping");
  }
}
