package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.rabbitmq.internal.Exceptions;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the publishing channel in confirm mode with the confirm, return and shutdown listeners, and
 * keeps it until it dies. Used by the sender thread only (and by close, after the sender ended). It
 * remembers the negotiated {@code frame_max} of the channel's connection and why the channel
 * closed.
 */
final class PublishingChannel {
  private static final Logger log = LoggerFactory.getLogger(PublishingChannel.class);

  /** RabbitMQ's default {@code frame_max}, assumed until a connection says otherwise. */
  static final int DEFAULT_FRAME_MAX = 131_072;

  /** Opens a channel on the current connection. */
  @FunctionalInterface
  interface Opener {
    /**
     * A new channel, or null while there is no open connection.
     *
     * @throws IOException if the connection refused to open one
     */
    @Nullable Channel open() throws IOException;
  }

  private final Opener opener;
  private final ConfirmHandler confirms;
  private final BooleanSupplier blocked;
  private final Runnable wake;
  private final Consumer<@Nullable ShutdownSignalException> lost;
  private @Nullable Channel channel;
  private volatile int frameMax = DEFAULT_FRAME_MAX;

  /**
   * @param blocked whether the broker blocks the connection: no channel is opened meanwhile
   * @param wake called (on the I/O thread) when the channel shuts down, to wake the sender
   * @param lost called (on the sender thread) when it finds that the kept channel died, with the
   *     reason it was closed for
   */
  PublishingChannel(
      Opener opener,
      ConfirmHandler confirms,
      BooleanSupplier blocked,
      Runnable wake,
      Consumer<@Nullable ShutdownSignalException> lost) {
    this.opener = opener;
    this.confirms = confirms;
    this.blocked = blocked;
    this.wake = wake;
    this.lost = lost;
  }

  /**
   * The open channel; if the kept one died, first reports it as lost. Opens a new one when there is
   * none and the connection is up and not blocked.
   *
   * @return the channel, or null if none can be had now
   */
  @Nullable Channel usable() {
    Channel current = channel;
    if (current != null) {
      if (current.isOpen()) {
        return current;
      }
      channel = null;
      // The channel's own record: amqp-client sets it before isOpen() turns false, while the
      // shutdown listeners may not have run yet.
      lost.accept(current.getCloseReason());
      return null; // the sender looks again, after any back-off the loss called for
    }
    if (blocked.getAsBoolean()) {
      return null;
    }
    try {
      Channel fresh = opener.open();
      if (fresh == null) {
        return null;
      }
      fresh.confirmSelect();
      fresh.addConfirmListener(confirms);
      fresh.addReturnListener(confirms);
      fresh.addShutdownListener(cause -> wake.run());
      Connection connection = fresh.getConnection();
      frameMax = connection == null ? DEFAULT_FRAME_MAX : connection.getFrameMax();
      channel = fresh;
      return fresh;
    } catch (IOException | RuntimeException e) {
      log.debug("Could not open a publishing channel: {}", Exceptions.describe(e));
      return null;
    }
  }

  /**
   * The negotiated {@code frame_max} of the last connection a channel was opened on (0: no limit),
   * or RabbitMQ's default before the first.
   */
  int frameMax() {
    return frameMax;
  }

  /**
   * Closes the channel after the client failed in the middle of a publish: amqp-client has counted
   * the publish's sequence number without sending it, so confirms on this channel would no longer
   * match. The events outstanding on it are sent again on the next one.
   */
  void discard() {
    Channel current = channel;
    if (current != null && current.isOpen()) {
      try {
        current.abort();
      } catch (IOException | RuntimeException e) {
        log.debug("Publishing channel did not abort cleanly: {}", Exceptions.describe(e));
      }
    }
  }

  /** Closes the channel if it is open. */
  void close() {
    Channel current = channel;
    channel = null;
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (IOException | TimeoutException | RuntimeException e) {
        log.debug("Publishing channel did not close cleanly: {}", Exceptions.describe(e));
      }
    }
  }
}
