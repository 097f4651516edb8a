package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;

/**
 * The broker closed the publishing channel because of something sent on it: a channel-level error
 * (not a lost connection, not our own close), such as {@code 404 NOT_FOUND} for a missing exchange,
 * {@code 406 PRECONDITION_FAILED} for a message over the broker's size limit, or {@code 403
 * ACCESS_REFUSED}.
 *
 * @param replyCode the broker's reply code
 * @param replyText the broker's reply text
 */
record Refusal(int replyCode, String replyText) {
  /** The reply code of a missing exchange or queue. */
  static final int NOT_FOUND = 404;

  /** The refusal a channel's shutdown signal reports, or null if it was not one. */
  static @Nullable Refusal of(@Nullable ShutdownSignalException cause) {
    if (cause == null || cause.isHardError() || cause.isInitiatedByApplication()) {
      return null;
    }
    if (cause.getReason() instanceof AMQP.Channel.Close close) {
      return new Refusal(close.getReplyCode(), String.valueOf(close.getReplyText()));
    }
    return null;
  }

  @Override
  public String toString() {
    return replyCode + " " + replyText;
  }
}
