package io.eventbus.testkit.broker;

/**
 * A RabbitMQ broker that tests can use: where it is, and how it was obtained.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations are thread-safe.
 *
 * <h2>Lifecycle</h2>
 *
 * Whoever obtained it closes it (the JUnit extension does, once at the end of the test run).
 * Closing stops what was started for the tests (a container or a private node) and does nothing to
 * a broker that was already running. Idempotent.
 */
public interface Broker extends AutoCloseable {
  /** The AMQP URI, with credentials: {@code amqp://user:pass@host:port}. Never log it as is. */
  String uri();

  /** The host the broker listens on. */
  String host();

  /** The AMQP port. */
  int port();

  /** How it was obtained, without credentials, for messages and logs. */
  String description();

  /** Stops what was started for the tests; idempotent. */
  @Override
  void close();
}
