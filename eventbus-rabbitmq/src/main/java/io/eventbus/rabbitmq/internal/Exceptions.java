package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.EventBusException;
import io.eventbus.spi.SafeText;

/** Readable one-line descriptions of amqp-client failures. */
public final class Exceptions {
  private Exceptions() {}

  /**
   * The failure to connect to {@code where} (URIs without passwords): an {@link EventBusException}
   * whose message names the broker's reason, and what it usually means for the reasons a user can
   * act on (a missing virtual host, refused credentials), never a bare {@code null}.
   */
  public static EventBusException connectFailure(String where, Throwable e) {
    String hint = "";
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException shutdown
          && shutdown.getReason() instanceof AMQP.Connection.Close close) {
        hint =
            switch (close.getReplyCode()) {
              case AMQP.NOT_ALLOWED ->
                  " (the virtual host in the URI does not exist, or the user may not use it)";
              case AMQP.ACCESS_REFUSED -> " (the broker refused the user name or password)";
              default -> "";
            };
        break;
      }
    }
    String reason = e.getMessage() != null ? e.getMessage() : describe(e);
    return new EventBusException(
        "Could not connect to "
            + where
            + ": "
            + SafeText.of(reason, SafeText.MAX_MESSAGE_CHARS)
            + hint,
        e);
  }

  /**
   * Whether {@code e} or one of its causes is the broker closing a channel with 404 NOT_FOUND (a
   * passive declare or a delete of a queue or exchange that does not exist).
   */
  public static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException shutdown
          && shutdown.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == AMQP.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

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
