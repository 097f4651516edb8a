package io.eventbus.cli;

import io.eventbus.rabbitmq.ParkedEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** How parked events are printed: table columns and JSON fields. */
final class ParkedEvents {
  static final List<String> COLUMNS =
      List.of("PARKED AT", "ID", "TYPE", "REASON", "ATTEMPTS", "ERROR");

  private ParkedEvents() {}

  static List<String> row(ParkedEvent parked) {
    String error =
        parked.errorType().isEmpty()
            ? parked.headers().getOrDefault("x-first-death-reason", "")
            : simpleName(parked.errorType()) + ": " + parked.errorMessage();
    return List.of(
        text(Selection.parkedAt(parked)),
        text(parked.eventId()),
        text(parked.eventType()),
        parked.reason(),
        Integer.toString(parked.attempts()),
        error);
  }

  /** The event as a JSON object; with {@code headers}, every header too. */
  static Map<String, Object> json(ParkedEvent parked, boolean headers) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("id", parked.eventId());
    object.put("type", parked.eventType());
    object.put("reason", parked.reason());
    object.put("errorType", parked.errorType());
    object.put("errorMessage", parked.errorMessage());
    object.put("attempts", parked.attempts());
    object.put("firstFailure", instant(parked.firstFailure()));
    object.put("lastFailure", instant(parked.lastFailure()));
    object.put("queue", parked.queue());
    object.put("bodySize", parked.bodySize());
    if (headers) {
      object.put("headers", new java.util.TreeMap<>(parked.headers()));
    }
    return object;
  }

  private static @Nullable String instant(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static String text(@Nullable Object value) {
    return value == null ? "-" : value.toString();
  }

  private static String simpleName(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? className : className.substring(dot + 1);
  }
}
