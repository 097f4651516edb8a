package io.eventbus.spi;

import io.eventbus.Health;
import io.eventbus.codec.WireMessage;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A {@link Transport} that forwards every call to another: extend it to decorate a transport
 * (record, rename, count) by overriding only the calls you change, and new SPI methods keep
 * forwarding.
 *
 * <h2>Thread safety</h2>
 *
 * As thread-safe as the delegate and the overrides.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #close()} closes the delegate: the decorator owns it.
 */
public abstract class ForwardingTransport implements Transport {
  private final Transport delegate;

  protected ForwardingTransport(Transport delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The transport calls are forwarded to. */
  protected Transport delegate() {
    return delegate;
  }

  @Override
  public CompletionStage<Void> send(OutboundMessage message) {
    return delegate.send(message);
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    return delegate.subscribe(spec, receiver);
  }

  @Override
  public CompletionStage<WireMessage> request(OutboundMessage request, Duration timeout) {
    return delegate.request(request, timeout);
  }

  @Override
  public TransportSubscription respond(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    return delegate.respond(spec, receiver);
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
}
