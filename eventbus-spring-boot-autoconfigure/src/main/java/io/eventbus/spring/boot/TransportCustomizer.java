package io.eventbus.spring.boot;

import io.eventbus.spi.Transport;

/**
 * Wraps the transport the auto-configured bus uses, for example in a {@link
 * io.eventbus.spi.ForwardingTransport} that records or filters. The testkit's support registers one
 * that records into an {@code EventRecorder}.
 *
 * <h2>Lifecycle</h2>
 *
 * Every customizer bean is called once, in {@link org.springframework.core.annotation.Order} order,
 * when the bus is built; the bus owns and closes what the last one returns, which must close the
 * transport it was given.
 */
@FunctionalInterface
public interface TransportCustomizer {
  /** The transport to use instead of {@code transport} (itself, or a wrapper around it). */
  Transport customize(Transport transport);
}
