package io.eventbus.rabbitmq.internal;

import io.eventbus.rabbitmq.AmqpUris;

/**
 * Keeps passwords out of logs, exception messages and connection names. The rule itself is public
 * ({@link AmqpUris#redact}), so that tools print URIs the same way; this is the transport's short
 * name for it.
 */
public final class Redaction {
  private Redaction() {}

  /** {@link AmqpUris#redact(String)}. */
  public static String uri(String uri) {
    return AmqpUris.redact(uri);
  }
}
