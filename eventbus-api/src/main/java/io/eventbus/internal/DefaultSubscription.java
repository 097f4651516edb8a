package io.eventbus.internal;

import io.eventbus.Health;
import io.eventbus.Subscription;
import io.eventbus.spi.TransportSubscription;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** A {@link Subscription} over a transport's running subscription. */
final class DefaultSubscription implements Subscription {
  private final String name;
  private final TransportSubscription running;
  private final Consumer<DefaultSubscription> onClose;
  private final LongSupplier invalidHistoryValues;
  private final AtomicBoolean closed = new AtomicBoolean();

  DefaultSubscription(
      String name,
      TransportSubscription running,
      Consumer<DefaultSubscription> onClose,
      LongSupplier invalidHistoryValues) {
    this.name = name;
    this.running = running;
    this.onClose = onClose;
    this.invalidHistoryValues = invalidHistoryValues;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The transport's view of this subscription, named {@code subscription:<name>}, with the
   * pipeline's count of invalid history headers as detail {@code invalidHistoryHeaders} once there
   * are any.
   */
  Health.Component health() {
    Health.Component component;
    try {
      component = running.health();
    } catch (RuntimeException e) {
      component =
          new Health.Component(
              "subscription",
              Health.Status.UNKNOWN,
              "the transport failed to report: " + e,
              Map.of());
    }
    long invalid = invalidHistoryValues.getAsLong();
    if (invalid > 0) {
      Map<String, Object> details = new LinkedHashMap<>(component.details());
      details.put("invalidHistoryHeaders", invalid);
      component =
          new Health.Component(component.name(), component.status(), component.detail(), details);
    }
    return component.withName("subscription:" + name);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        running.close();
      } finally {
        onClose.accept(this);
      }
    }
  }

  @Override
  public String toString() {
    return "Subscription[" + name + "]";
  }
}
