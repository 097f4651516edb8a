package io.eventbus.testkit.broker;

/**
 * No broker could be provided. The message lists what was tried and how to get a broker.
 *
 * <p>The JUnit extension turns it into a failure when the environment variable {@code CI} is {@code
 * true} and into a skipped test otherwise.
 */
public final class BrokerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How to get a broker, appended to every message. */
  public static final String HOW_TO_GET_ONE =
      "Start one with 'sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached',"
          + " point the tests at one with EVENTBUS_TEST_AMQP_URI=amqp://user:pass@host:5672, or run"
          + " a Docker engine with org.testcontainers:testcontainers-rabbitmq on the test classpath.";

  /** A failure listing what was {@code tried}. */
  public BrokerUnavailableException(String tried) {
    super("No RabbitMQ broker for the tests. Tried: " + tried + ". " + HOW_TO_GET_ONE);
  }
}
