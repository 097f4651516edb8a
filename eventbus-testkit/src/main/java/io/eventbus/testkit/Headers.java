package io.eventbus.testkit;

import io.eventbus.codec.CloudEventsAttributes;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads CloudEvents attributes from message headers, accepting either prefix. */
final class Headers {
  private Headers() {}

  static @Nullable String attribute(Map<String, String> headers, String name) {
    String value = headers.get(CloudEventsAttributes.PREFIX + name);
    return value != null ? value : headers.get(CloudEventsAttributes.ALTERNATE_PREFIX + name);
  }
}
