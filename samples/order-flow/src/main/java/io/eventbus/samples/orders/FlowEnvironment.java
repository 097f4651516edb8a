package io.eventbus.samples.orders;

import io.eventbus.SubscriptionOptions;
import io.eventbus.spi.Transport;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where the flow runs, RabbitMQ or memory: hands each service a transport of its own (as separate
 * processes would have) and reads the queues for the live view and the summary.
 */
interface FlowEnvironment extends AutoCloseable {
  /** Where the flow runs, for people: no credentials. */
  String description();

  /** Whether this is the in-memory stand-in for a broker. */
  boolean inMemory();

  /** A new transport for {@code service}; the service's bus owns and closes it. */
  Transport transport(String service);

  /** Messages waiting for {@code subscription}: in its queues and its redelivery queues. */
  long backlog(SubscriptionOptions subscription);

  /** How many messages {@code subscription} has parked in its dead-letter queue. */
  long deadLetterCount(String subscription);

  /** The events {@code subscription} has parked that match {@code filter}, oldest first. */
  List<Parked> deadLetters(String subscription, Predicate<Parked> filter);

  @Override
  void close();

  /**
   * A parked event as the summary shows it.
   *
   * @param orderId the order it belongs to (its correlation id), or empty
   * @param eventType its type name
   * @param reason the dead-letter reason: {@code handler-failed}, {@code decoding-failed}, …
   * @param errorType the exception's simple class name
   * @param errorMessage the exception's message
   * @param attempts how often it was tried
   */
  record Parked(
      String orderId,
      String eventType,
      String reason,
      String errorType,
      String errorMessage,
      int attempts) {
    static String simpleName(String className) {
      return className.substring(className.lastIndexOf('.') + 1);
    }
  }
}
