package io.eventbus.testkit.junit5;

import io.eventbus.Health;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TelemetryNames;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.opentelemetry.api.OpenTelemetry;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Gives every subscription a queue name of the fixture's scope ({@code <prefix><name>}), so that
 * tests sharing a broker never share a queue, and reports each name for cleanup.
 */
final class ScopedTransport implements Transport {
  private final Transport delegate;
  private final UnaryOperator<SubscriptionSpec> scope;

  /** {@code scope} renames a subscription into the fixture's scope and records it for cleanup. */
  ScopedTransport(Transport delegate, UnaryOperator<SubscriptionSpec> scope) {
    this.delegate = delegate;
    this.scope = scope;
  }

  @Override
  public CompletionStage<Void> send(OutboundMessage message) {
    return delegate.send(message);
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    return delegate.subscribe(scope.apply(spec), receiver);
  }

  @Override
  public TelemetryNames telemetryNames() {
    return delegate.telemetryNames();
  }

  @Override
  public void instrument(OpenTelemetry openTelemetry) {
    delegate.instrument(openTelemetry);
  }

  @Override
  public Health health() {
    return delegate.health();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Scoped[" + delegate + "]";
  }
}
