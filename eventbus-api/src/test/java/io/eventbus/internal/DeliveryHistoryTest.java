package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one reader of the headers earlier deliveries left: what it accepts and what it refuses. */
class DeliveryHistoryTest {
  private static final Instant FIRST = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void readsTheCountsAndTheFirstFailureEarlierDeliveriesWrote() {
    DeliveryHistory history =
        DeliveryHistory.read(
            Map.of(
                "eventbus-attempts", "6",
                "eventbus-redeliveries", " 2 ",
                "eventbus-first-failure-time", FIRST.toString()),
            3);

    assertThat(history)
        .isEqualTo(new DeliveryHistory(6, 2, FIRST, 3))
        .extracting(DeliveryHistory::attemptsBefore)
        .isEqualTo(9);
  }

  @Test
  void aMessageWithoutHistoryStartsAtNothing() {
    DeliveryHistory history = DeliveryHistory.read(Map.of("cloudEvents:id", "e-1"), 0);

    assertThat(history).isEqualTo(new DeliveryHistory(0, 0, null, 0));
    assertThat(history.attemptsBefore()).isZero();
  }

  @Test
  void malformedOrNegativeValuesReadAsNone() {
    DeliveryHistory history =
        DeliveryHistory.read(
            Map.of(
                "eventbus-attempts", "-4",
                "eventbus-redeliveries", "two",
                "eventbus-first-failure-time", "yesterday"),
            -1);

    assertThat(history).isEqualTo(new DeliveryHistory(0, 0, null, 0));
  }

  @Test
  void hugeCountsCannotOverflowTheAttemptNumber() {
    DeliveryHistory history =
        DeliveryHistory.read(Map.of("eventbus-attempts", String.valueOf(Integer.MAX_VALUE)), 5);

    assertThat(history.attemptsBefore()).isEqualTo(DeliveryHistory.MAX_ATTEMPTS_BEFORE);
  }
}
