package io.eventbus.rabbitmq.internal;

import io.eventbus.EventBusConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * The checks every settings value of the RabbitMQ module makes, so that each mistake is an {@link
 * EventBusConfigurationException} naming the setting, worded the same way.
 */
public final class SettingChecks {
  private SettingChecks() {}

  /** {@code value}, if it is positive. */
  public static Duration positive(Duration value, String setting) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw new EventBusConfigurationException(setting + " must be positive, was " + value);
    }
    return value;
  }

  /** {@code value}, if it is at least {@code min}. */
  public static long atLeast(long value, long min, String setting) {
    if (value < min) {
      throw new EventBusConfigurationException(
          setting + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** {@code value}, if it lies in {@code [min, max]}. */
  public static long between(long value, long min, long max, String setting) {
    if (value < min || value > max) {
      throw new EventBusConfigurationException(
          setting + " must be " + min + " to " + max + ", was " + value);
    }
    return value;
  }
}
