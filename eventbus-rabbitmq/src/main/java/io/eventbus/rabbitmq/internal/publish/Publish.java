package io.eventbus.rabbitmq.internal.publish;

import com.rabbitmq.client.AMQP;
import io.eventbus.PublishException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One event on its way to the broker: what to send, its deadline and its future. It moves between
 * the buffer and the outstanding confirms until its future is done.
 */
final class Publish {
  final String exchange;
  final String routingKey;
  final AMQP.BasicProperties properties;
  final byte[] body;
  final String eventId;
  final String eventType;
  final long expiresAt;

  /** A copy of a received message: it must be stored, so it never counts as routed if returned. */
  final boolean copy;

  final CompletableFuture<Void> future = new CompletableFuture<>();

  /**
   * The sequence number of its latest send; written by the sender before the event is recorded as
   * outstanding, and read by those who found it there.
   */
  long sequence;

  /**
   * The {@code frame_max} its content header was found to fit when it was offered (0: no limit), or
   * -1 if it was not checked: the sender checks again only when the channel's differs.
   */
  int fitsFrameMax = -1;

  /** How many times it was handed to a channel; written by the sender thread only. */
  int sends;

  /** Negative confirms so far; written on the I/O thread only. */
  volatile int nacks;

  /**
   * How many times it was sent again because the broker returned it while an own subscription was
   * bound for its type (see {@link TopologyResends}); written on the I/O thread only.
   */
  volatile int topologyResends;

  /** The broker's reply when it returned this send as unroutable; reset on every send. */
  volatile @Nullable String returnedWith;

  Publish(
      String exchange,
      String routingKey,
      AMQP.BasicProperties properties,
      byte[] body,
      String eventId,
      String eventType,
      long expiresAt,
      boolean copy) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.properties = properties;
    this.body = body;
    this.eventId = eventId;
    this.eventType = eventType;
    this.expiresAt = expiresAt;
    this.copy = copy;
  }

  /** Whether the deadline has passed at {@code now} (a {@link Ticker} reading). */
  boolean expired(long now) {
    return now - expiresAt >= 0;
  }

  /** Fails the future with {@code failure} on {@code completions}, never on the caller's thread. */
  void fail(Executor completions, PublishException failure) {
    completions.execute(() -> future.completeExceptionally(failure));
  }

  /** Where this event goes, for messages: the exchange and the routing key. */
  String destination() {
    return (exchange.isEmpty() ? "the default exchange" : "exchange '" + exchange + "'")
        + " with routing key '"
        + routingKey
        + "'";
  }
}
