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
}
