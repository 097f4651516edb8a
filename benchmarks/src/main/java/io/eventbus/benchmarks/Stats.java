package io.eventbus.benchmarks;

import java.util.Arrays;

/** The little statistics the reports need. */
final class Stats {
  private Stats() {}

  /** The median; the mean of the middle two for an even count; NaN for none. */
  static double median(double... values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /** The smallest value; NaN for none. */
  static double min(double... values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  /** The largest value; NaN for none. */
  static double max(double... values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  /** (max - min) / median: how far apart the rounds are; 0 for fewer than two values. */
  static double spread(double... values) {
    if (values.length < 2) {
      return 0;
    }
    double median = median(values);
    return median == 0 ? 0 : (max(values) - min(values)) / Math.abs(median);
  }

  /** The least-squares slope of {@code y} over {@code x}; 0 for fewer than two distinct x. */
  static double slope(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
    }
    int n = x.length;
    if (n < 2) {
      return 0;
    }
    double meanX = Arrays.stream(x).average().orElse(0);
    double meanY = Arrays.stream(y).average().orElse(0);
    double covariance = 0;
    double variance = 0;
    for (int i = 0; i < n; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY);
      variance += (x[i] - meanX) * (x[i] - meanX);
    }
    return variance == 0 ? 0 : covariance / variance;
  }
}
