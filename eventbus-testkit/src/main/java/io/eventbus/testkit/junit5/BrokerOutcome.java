package io.eventbus.testkit.junit5;

import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.broker.BrokerUnavailableException;
import io.eventbus.testkit.broker.Brokers;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The broker of a test run, provided once and kept in the root store (closed at the end of the
 * run), or why there is none. A test that needs a broker and finds none fails when {@code CI=true}
 * and is skipped otherwise: never skipped silently on CI.
 */
final class BrokerOutcome implements AutoCloseable {
  private final @Nullable Broker broker;
  private final @Nullable String unavailable;

  private BrokerOutcome(@Nullable Broker broker, @Nullable String unavailable) {
    this.broker = broker;
    this.unavailable = unavailable;
  }

  static BrokerOutcome provide() {
    return provide(Brokers::provide);
  }

  static BrokerOutcome provide(Supplier<Broker> provider) {
    try {
      return new BrokerOutcome(provider.get(), null);
    } catch (BrokerUnavailableException e) {
      return new BrokerOutcome(null, e.getMessage());
    }
  }

  /**
   * The broker, or the failure (on CI) or abort (elsewhere) to throw.
   *
   * @param environment reads environment variables
   */
  Broker require(Function<String, @Nullable String> environment) {
    if (broker != null) {
      return broker;
    }
    Throwable missing = missing(unavailable == null ? "no broker" : unavailable, environment);
    if (missing instanceof Error error) {
      throw error;
    }
    throw (RuntimeException) missing;
  }

  static Throwable missing(String message, Function<String, @Nullable String> environment) {
    if ("true".equalsIgnoreCase(environment.apply("CI"))) {
      return new AssertionFailedError(message + " (CI=true: a test that needs a broker fails)");
    }
    return new TestAbortedException(message);
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
