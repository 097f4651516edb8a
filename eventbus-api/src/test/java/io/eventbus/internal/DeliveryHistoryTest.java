package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one reader of the headers earlier deliveries left: what it accepts, and that every forged or
 * out-of-range value reads as absent, is counted, and never throws.
 */
class DeliveryHistoryTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Instant FIRST = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void readsTheCountsAndTheFirstFailureEarlierDeliveriesWrote() {
    DeliveryHistory history =
        DeliveryHistory.read(
            Map.of(
                "eventbus-attempts", "6",
                "eventbus-redeliveries", " 2 ",
                "eventbus-first-failure-time", FIRST.toString()),
            3,
            CLOCK);

    assertThat(history)
        .isEqualTo(new DeliveryHistory(6, 2, FIRST, 3))
        .extracting(DeliveryHistory::attemptsBefore)
        .isEqualTo(9);
  }

  @Test
  void aMessageWithoutHistoryStartsAtNothing() {
    DeliveryHistory history = DeliveryHistory.read(Map.of("cloudEvents:id", "e-1"), 0, CLOCK);

    assertThat(history).isEqualTo(new DeliveryHistory(0, 0, null, 0));
    assertThat(history.attemptsBefore()).isZero();
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "eventbus-attempts | -4",
        "eventbus-attempts | two",
        "eventbus-attempts | 2147483647",
        "eventbus-attempts | 99999999999999999999",
        "eventbus-attempts | 1000001",
        "eventbus-attempts | 1e3",
        "eventbus-attempts | 0x10",
        "eventbus-redeliveries | 2147483647",
        "eventbus-redeliveries | 1001",
        "eventbus-redeliveries | -1",
        "eventbus-first-failure-time | yesterday",
        "eventbus-first-failure-time | +1000000000-12-31T23:59:59Z",
        "eventbus-first-failure-time | -1000000000-01-01T00:00:00Z",
        "eventbus-first-failure-time | 1970-01-01T00:00:00Z",
        "eventbus-first-failure-time | 2026-11-27T12:00:00Z"
      })
  void aForgedOrOutOfRangeValueReadsAsAbsentAndIsCounted(String header, String value) {
    DeliveryHistory history = DeliveryHistory.read(Map.of(header, value), 0, CLOCK);

    assertThat(history).isEqualTo(new DeliveryHistory(0, 0, null, 0, 1));
    assertThat(history.attemptsBefore()).isZero();
  }

  @Test
  void aForgedDeliveryCountReadsAsAbsentAndIsCounted() {
    DeliveryHistory huge = DeliveryHistory.read(Map.of(), Integer.MAX_VALUE, CLOCK);
    DeliveryHistory negative = DeliveryHistory.read(Map.of(), -1, CLOCK);

    assertThat(huge).isEqualTo(new DeliveryHistory(0, 0, null, 0, 1));
    assertThat(negative).isEqualTo(new DeliveryHistory(0, 0, null, 0, 1));
  }

  @Test
  void theLargestValuesAcceptedCannotOverflowTheAttemptNumber() {
    DeliveryHistory history =
        DeliveryHistory.read(
            Map.of(
                "eventbus-attempts", String.valueOf(DeliveryHistory.MAX_ATTEMPTS),
                "eventbus-redeliveries", String.valueOf(DeliveryHistory.MAX_REDELIVERIES)),
            DeliveryHistory.MAX_DELIVERY_COUNT,
            CLOCK);

    assertThat(history.invalid()).isZero();
    assertThat(history.attemptsBefore())
        .isEqualTo(DeliveryHistory.MAX_ATTEMPTS + DeliveryHistory.MAX_DELIVERY_COUNT)
        .isLessThan(Integer.MAX_VALUE / 2);
  }

  @Test
  void aFailureTimeWithinTheClockSkewIsAccepted() {
    Instant soon = NOW.plusSeconds(3_600);

    DeliveryHistory history =
        DeliveryHistory.read(Map.of("eventbus-first-failure-time", soon.toString()), 0, CLOCK);

    assertThat(history.firstFailure()).isEqualTo(soon);
    assertThat(history.invalid()).isZero();
  }
}
