package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Turns the rejection of a setting into an error that names the property (or attribute). */
final class Settings {
  private Settings() {}

  /** Runs {@code apply}; an invalid value fails with a message that starts with {@code name}. */
  static void apply(String name, Runnable apply) {
    try {
      apply.run();
    } catch (EventBusConfigurationException | IllegalArgumentException e) {
      throw new EventBusConfigurationException(name, name + ": " + e.getMessage());
    }
  }

  /**
   * Runs {@code build}, which validates settings once; a failure naming a setting ({@link
   * EventBusConfigurationException#setting()}) that {@code where} maps to a property or attribute
   * is thrown again with a message starting with that name.
   */
  static <T> T build(Supplier<T> build, Function<String, @Nullable String> where) {
    try {
      return build.get();
    } catch (EventBusConfigurationException e) {
      String setting = e.setting();
      String name = setting == null ? null : where.apply(setting);
      if (name == null) {
        throw e;
      }
      throw new EventBusConfigurationException(name, name + ": " + e.getMessage());
    }
  }
}
