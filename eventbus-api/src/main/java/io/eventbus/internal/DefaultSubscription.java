package io.eventbus.internal;

import io.eventbus.Health;
import io.eventbus.Subscription;
import io.eventbus.spi.TransportSubscription;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A {@link Subscription} over a transport's running subscription. */
final class DefaultSubscription implements Subscription {
  private final String name;
  private final TransportSubscription running;
  private final Consumer<DefaultSubscription> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  DefaultSubscription(
      String name, TransportSubscription running, Consumer<DefaultSubscription> onClose) {
    this.name = name;
    this.running = running;
    this.onClose = onClose;
  }

  @Override
  public String name() {
    return name;
  }

  /** The transport's view of this subscription, named {@code subscription:<name>}. */
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
