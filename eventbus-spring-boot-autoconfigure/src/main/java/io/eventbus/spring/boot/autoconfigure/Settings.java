package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBusConfigurationException;

/** Applies one setting and turns its rejection into an error that names the property. */
final class Settings {
  private Settings() {}

  /** Runs {@code apply}; an invalid value fails with a message that starts with {@code name}. */
  static void apply(String name, Runnable apply) {
    try {
      apply.run();
    } catch (EventBusConfigurationException | IllegalArgumentException e) {
      throw new EventBusConfigurationException(name + ": " + e.getMessage());
    }
  }
}
