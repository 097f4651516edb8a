package io.eventbus.samples.orders;

import java.util.Locale;

/** Which services a process runs: one of them, or all of them in one process (the default). */
enum Role {
  ORDER,
  SHIPPING,
  NOTIFICATION,
  POINTS,
  BILLING,
  ANALYTICS,
  ALL;

  static Role parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--role must be one of order, shipping, notification, points, billing, analytics, all;"
              + " was '"
              + text
              + "'");
    }
  }

  /** Whether this role runs {@code service}. */
  boolean runs(Role service) {
    return this == ALL || this == service;
  }

  String service() {
    return name().toLowerCase(Locale.ROOT);
  }
}
