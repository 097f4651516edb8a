package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.ShutdownSignalException;

/** Readable one-line descriptions of amqp-client failures. */
public final class Exceptions {
  private Exceptions() {}

  /** The most telling message of {@code e} and its causes, such as the broker's reply text. */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException shutdown && shutdown.getReason() != null) {
        return shutdown.getMessage();
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
