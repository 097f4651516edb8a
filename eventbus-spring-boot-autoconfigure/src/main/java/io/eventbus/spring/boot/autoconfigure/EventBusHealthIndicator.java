package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.EventBus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The Actuator view of {@link EventBus#health()}, contributed as {@code eventbus}: {@code DOWN}
 * when a connection is lost, a subscription's consumer is gone or stalled, or the bus is closed;
 * {@code UP} otherwise. A degraded bus (for example publishing blocked by a broker resource alarm)
 * stays {@code UP}, as eventbus advises a readiness probe to fail on {@code DOWN} only, and says so
 * in its details. Every component appears in the details with its status, reason and figures.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; cheap: the bus's health never waits for the broker.
 */
public final class EventBusHealthIndicator implements HealthIndicator {
  private final EventBus bus;

  /** The indicator of {@code bus}. */
  public EventBusHealthIndicator(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public Health health() {
    io.eventbus.Health health = bus.health();
    Health.Builder builder = new Health.Builder(status(health.status()));
    if (health.status() == io.eventbus.Health.Status.DEGRADED) {
      builder.withDetail("degraded", true);
    }
    for (io.eventbus.Health.Component component : health.components()) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("status", component.status().name());
      if (!component.detail().isEmpty()) {
        details.put("reason", component.detail());
      }
      component.details().forEach((key, value) -> details.put(key, readable(value)));
      builder.withDetail(component.name(), details);
    }
    return builder.build();
  }

  private static Status status(io.eventbus.Health.Status status) {
    return switch (status) {
      case UP, DEGRADED -> Status.UP;
      case UNKNOWN -> Status.UNKNOWN;
      case DOWN -> Status.DOWN;
    };
  }

  private static Object readable(Object value) {
    return value instanceof Duration duration ? duration.toString() : value;
  }
}
