package io.eventbus.testkit.junit5;

import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.broker.BrokerUnavailableException;
import io.eventbus.testkit.broker.Brokers;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The broker of a test run, provided once and kept in the root store (closed at the end of the
 * run), or why there is none. A test that needs a broker and finds none follows {@link
 * Requirements}: it fails when {@code CI=true} and is skipped otherwise.
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
    throw Requirements.missing(unavailable == null ? "no broker" : unavailable, environment);
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
