package io.eventbus.testkit;

import io.eventbus.codec.EventCodec;
import io.eventbus.codec.WireMessage;
import org.jspecify.annotations.Nullable;

/** Decodes recorded bodies for typed assertions. */
final class Decoding {
  private Decoding() {}

  static <E> E decode(EventCodec codec, WireMessage message, Class<E> type, @Nullable String id) {
    try {
      return codec.decode(message.body(), type);
    } catch (Exception e) {
      throw new IllegalStateException(
          "Recorded event " + id + " does not decode as " + type.getName() + ": " + e.getMessage(),
          e);
    }
  }
}
