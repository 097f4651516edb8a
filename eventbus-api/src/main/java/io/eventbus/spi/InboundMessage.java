package io.eventbus.spi;

import io.eventbus.codec.WireMessage;
import java.time.Duration;
import java.util.Map;

/**
 * A message delivered by a transport, settled exactly once by the bus's pipeline.
 *
 * <h2>Thread safety</h2>
 *
 * Settled from the thread it was delivered on, or any other, once; later settlements are ignored.
 */
public interface InboundMessage {
  /** The message as received. */
  WireMessage message();

  /** Whether the broker delivered it before without an acknowledgement. */
  boolean redelivered();

  /**
   * How many earlier deliveries of this message the broker counted that were not acknowledged
   * (returned, or lost with their consumer): RabbitMQ's {@code x-delivery-count} on quorum queues.
   * The bus adds it to the attempt number, so that a message that crashed its consumer counts its
   * attempts anyway. The default, for transports that do not count, is 0.
   */
  default int deliveryCount() {
    return 0;
  }

  /** Acknowledges the message: it is done with and removed from the queue. */
  void ack();

  /** Returns the message to its queue for another delivery. */
  void requeue();

  /**
   * Gives the message back to its queue, unhandled, for a later delivery, without counting a
   * delivery: the bus defers the deliveries of a paused subscription this way (its circuit is open,
   * a dependency is unavailable). Like {@link #redeliverAfter} without the delay: re-publishes a
   * copy, body unchanged, its headers updated with {@code headers} and without the broker's
   * delivery count, to the queue the message came from (it goes to the back), waits until that copy
   * is safely stored, and then acknowledges the original.
   *
   * <p>The default returns the message with {@link #requeue()}, which a broker that counts
   * deliveries (RabbitMQ's quorum queues, towards {@code x-delivery-limit}) counts.
   *
   * @param headers the history to carry, replacing headers of the same name (may be empty)
   * @throws io.eventbus.EventBusException if the copy could not be stored; the original is then not
   *     acknowledged
   */
  default void defer(Map<String, String> headers) {
    requeue();
  }

  /**
   * Parks a copy of the message, body and headers unchanged plus the reason's headers, in the
   * subscription's dead-letter queue, waits until that copy is safely stored, and then acknowledges
   * the original.
   *
   * @throws io.eventbus.EventBusException if the copy could not be stored; the original is then not
   *     acknowledged
   */
  void deadLetter(DeadLetterReason reason);

  /**
   * Re-publishes a copy of the message, body unchanged, its headers updated with {@code headers},
   * so that it is delivered to this subscription again (and only to it) after {@code delay}, waits
   * until that copy is safely stored, and then acknowledges the original. The delay must be one of
   * the subscription's {@link SubscriptionSpec#redeliveryDelays()}. No consumer thread waits for
   * the delay.
   *
   * @param headers the failure history to carry (see {@link DeadLetterReason#historyHeaders}),
   *     replacing headers of the same name
   * @throws IllegalArgumentException if {@code delay} is not one of the subscription's delays
   * @throws io.eventbus.EventBusException if the copy could not be stored; the original is then not
   *     acknowledged
   */
  void redeliverAfter(Duration delay, Map<String, String> headers);

  /**
   * For a request delivered through {@link Transport#respond}: sends {@code reply} back to the
   * requester (it does not settle this message). The transport correlates the reply with the
   * request itself; a request without a way back (no reply address) has its reply dropped. Replies
   * are not confirmed: a requester that is gone loses them.
   *
   * <p>The default throws {@link UnsupportedOperationException}: the message is not a request.
   *
   * @throws io.eventbus.EventBusException if the reply could not be handed to the broker
   */
  default void reply(WireMessage reply) {
    throw new UnsupportedOperationException("This message is not a request: it cannot be answered");
  }
}
