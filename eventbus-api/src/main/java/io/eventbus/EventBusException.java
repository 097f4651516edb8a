package io.eventbus;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception eventbus throws or completes a future with. Unchecked: catch the
 * subclass you can act on.
 *
 * <p>Messages never contain credentials or event payloads.
 */
public class EventBusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EventBusException(String message) {
    super(message);
  }

  public EventBusException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
