package io.eventbus.spi;

import java.util.Objects;

/**
 * How a transport appears in telemetry, after the OpenTelemetry messaging semantic conventions: the
 * bus names its spans and metrics with these, and knows no messaging system by name.
 *
 * <pre>{@code
 * new TelemetryNames("rabbitmq", "eventbus", "messaging.rabbitmq.destination.routing_key")
 * }</pre>
 *
 * @param system the value of {@code messaging.system}, such as {@code rabbitmq}
 * @param exchange the exchange (or topic) every event is published to; empty if there is none
 * @param routingKeyAttribute the system-specific span attribute that carries the routing key (the
 *     event type), such as {@code messaging.rabbitmq.destination.routing_key}; empty if the system
 *     has none
 */
public record TelemetryNames(String system, String exchange, String routingKeyAttribute) {
  /** Checks for nulls. */
  public TelemetryNames {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(routingKeyAttribute, "routingKeyAttribute");
  }

  /** Names for a system without a routing-key attribute. */
  public TelemetryNames(String system, String exchange) {
    this(system, exchange, "");
  }
}
