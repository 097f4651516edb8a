package io.eventbus.rabbitmq;

import io.eventbus.EventBusException;

/**
 * Thrown by a {@link RabbitDeadLetters} operation when another operation works on the same
 * dead-letter queue at that moment, in this process or in another (another operator's command-line
 * tool, for example). Nothing was changed; try again when the other one has finished.
 *
 * <p>Operations that look at or change parked messages hold an exclusive lock queue, {@code
 * <dead-letter queue>.lock}, while they run, so that two operators never act on the same messages
 * at once and each operation sees every parked message. The broker deletes the lock queue when its
 * connection ends, so a crashed operator leaves no stale lock.
 */
public final class DeadLettersBusyException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final String deadLetterQueue;

  DeadLettersBusyException(String deadLetterQueue) {
    super(
        "Dead-letter queue "
            + deadLetterQueue
            + " is being worked on by another operation (its lock queue "
            + deadLetterQueue
            + ".lock is held); nothing was changed, try again when it has finished");
    this.deadLetterQueue = deadLetterQueue;
  }

  /** The dead-letter queue that was busy. */
  public String deadLetterQueue() {
    return deadLetterQueue;
  }
}
