package io.eventbus.spi;

import java.util.Objects;

/**
 * How a transport appears in telemetry, after the OpenTelemetry messaging semantic conventions: the
 * bus names its spans and metrics with these.
 *
 * @param system the value of {@code messaging.system}, such as {@code rabbitmq}
 * @param exchange the exchange (or topic) every event is published to; empty if there is none
 */
public record TelemetryNames(String system, String exchange) {
  /** Checks for nulls. */
  public TelemetryNames {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(exchange, "exchange");
  }
}
