package io.eventbus.spi;

import io.eventbus.codec.WireMessage;

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

  /** Acknowledges the message: it is done with and removed from the queue. */
  void ack();

  /** Returns the message to its queue for another delivery. */
  void requeue();

  /**
   * Parks a copy of the message, body and headers unchanged plus the reason's headers, in the
   * subscription's dead-letter queue, waits until that copy is safely stored, and then acknowledges
   * the original.
   *
   * @throws io.eventbus.EventBusException if the copy could not be stored; the original is then not
   *     acknowledged
   */
  void deadLetter(DeadLetterReason reason);
}
