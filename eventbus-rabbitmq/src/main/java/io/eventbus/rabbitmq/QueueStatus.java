package io.eventbus.rabbitmq;

import java.util.Objects;

/**
 * A queue's figures as the broker answers a passive declare: how many messages are ready (not
 * counting those delivered and not yet acknowledged) and how many consumers it has. Returned by
 * {@link RabbitTransport#queueStatus(String)}.
 *
 * @param queue the queue's name
 * @param ready messages ready for delivery
 * @param consumers consumers subscribed to it
 */
public record QueueStatus(String queue, long ready, long consumers) {
  /** Checks for null. */
  public QueueStatus {
    Objects.requireNonNull(queue, "queue");
  }
}
