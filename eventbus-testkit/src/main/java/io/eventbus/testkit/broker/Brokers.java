package io.eventbus.testkit.broker;

/**
 * Provides a RabbitMQ broker for tests, trying in order:
 *
 * <ol>
 *   <li>the AMQP URI in the environment variable {@code EVENTBUS_TEST_AMQP_URI} (when set, it is
 *       the only candidate: an explicit choice is never replaced by another broker);
 *   <li>a broker answering on 127.0.0.1:5672, as {@code guest}/{@code guest};
 *   <li>a Testcontainers RabbitMQ container, only when {@code
 *       org.testcontainers:testcontainers-rabbitmq} is on the class path and a Docker engine
 *       answers (at {@code DOCKER_HOST} or the usual sockets);
 *   <li>a {@link PrivateRabbitNode} started from the installed {@code rabbitmq-server}.
 * </ol>
 *
 * <pre>{@code
 * try (Broker broker = Brokers.provide()) {
 *   Transport transport = RabbitTransport.builder().uri(broker.uri()).build();
 * }
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless; each call probes and may start a broker of its own. The JUnit extension calls it once
 * per test run.
 *
 * <h2>Failures</h2>
 *
 * {@link #provide()} throws {@link BrokerUnavailableException}, listing what was tried and how to
 * get a broker, when no candidate works.
 */
public final class Brokers {
  private Brokers() {}

  /**
   * The first broker of the chain that works; close it when done.
   *
   * @throws BrokerUnavailableException when none does
   */
  public static Broker provide() {
    return BrokerChain.real().provide();
  }
}
