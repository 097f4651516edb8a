package io.eventbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertThat(Stats.median(3, 1, 2)).isEqualTo(2);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Stats.median(4, 1, 3, 2)).isEqualTo(2.5);
  }

  @Test
  void medianOfNothingIsNaN() {
    assertThat(Stats.median()).isNaN();
  }

  @Test
  void slopeOfALineIsItsGradient() {
    assertThat(Stats.slope(new double[] {0, 1, 2, 3}, new double[] {5, 7, 9, 11}))
        .isCloseTo(2, within(1e-9));
  }

  @Test
  void slopeOfAFlatNoisySeriesIsNearZero() {
    assertThat(Stats.slope(new double[] {0, 1, 2, 3}, new double[] {10, 11, 10, 11}))
        .isCloseTo(0.2, within(1e-9));
  }

  @Test
  void slopeOfOnePointIsZero() {
    assertThat(Stats.slope(new double[] {1}, new double[] {4})).isZero();
  }

  @Test
  void spreadIsTheRangeOverTheMedian() {
    assertThat(Stats.spread(90, 100, 120)).isCloseTo(0.3, within(1e-9));
    assertThat(Stats.min(90, 100, 120)).isEqualTo(90);
    assertThat(Stats.max(90, 100, 120)).isEqualTo(120);
  }

  @Test
  void spreadOfOneRoundIsZero() {
    assertThat(Stats.spread(42)).isZero();
  }

  @Test
  void roundsFurtherApartThanTheLimitEarnAWarning() {
    BenchBroker.WARNINGS.clear();
    java.util.List<Measurement.Result> results =
        java.util.List.of(
            result("eventbus", 100, 10.0),
            result("eventbus", 110, 10.5),
            result("eventbus", 130, 10.2),
            result(Tables.RAW, 100, 8.0),
            result(Tables.RAW, 105, 8.1));
    Rounds.warnAboutSpread("consume", results);
    assertThat(BenchBroker.WARNINGS)
        .singleElement()
        .asString()
        .contains("consume quorum eventbus")
        .contains("events/s differ by 27%");
    BenchBroker.WARNINGS.clear();
  }

  private static Measurement.Result result(String client, double eventsPerSecond, double cpu) {
    return new Measurement.Result(
        client, "quorum", 1_000, eventsPerSecond, 0, 0, cpu, Double.NaN, 5_000, 0);
  }
}
