package io.eventbus.testkit.junit5;

import io.eventbus.spi.ForwardingTransport;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Gives every subscription a queue name of the fixture's scope ({@code <prefix><name>}), so that
 * tests sharing a broker never share a queue, and reports each name for cleanup.
 */
final class ScopedTransport extends ForwardingTransport {
  private final UnaryOperator<SubscriptionSpec> scope;

  /** {@code scope} renames a subscription into the fixture's scope and records it for cleanup. */
  ScopedTransport(Transport delegate, UnaryOperator<SubscriptionSpec> scope) {
    super(delegate);
    this.scope = scope;
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    return delegate().subscribe(scope.apply(spec), receiver);
  }

  @Override
  public TransportSubscription respond(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    return delegate().respond(scope.apply(spec), receiver);
  }

  @Override
  public String toString() {
    return "Scoped[" + delegate() + "]";
  }
}
