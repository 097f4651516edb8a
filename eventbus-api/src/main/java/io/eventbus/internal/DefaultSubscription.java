package io.eventbus.internal;

import io.eventbus.Health;
import io.eventbus.Subscription;
import io.eventbus.spi.TransportSubscription;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Subscription} over a transport's running subscription and the pipeline that receives its
 * deliveries.
 *
 * <h2>Closing</h2>
 *
 * First the transport subscription is paused, so that nothing new reaches the pipeline and a
 * delivery returned to the queue does not come straight back to it; then the pipeline returns the
 * deliveries waiting in its circuit and limits; then the transport subscription closes, waiting for
 * the handlers in flight.
 */
final class DefaultSubscription implements Subscription {
  private final String name;
  private final TransportSubscription running;
  private final @Nullable Pipeline pipeline;
  private final @Nullable SubscriptionControl control;
  private final Consumer<DefaultSubscription> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A subscription of responders only: no event pipeline, nothing to pause. */
  DefaultSubscription(
      String name, TransportSubscription running, Consumer<DefaultSubscription> onClose) {
    this.name = name;
    this.running = running;
    this.pipeline = null;
    this.control = null;
    this.onClose = onClose;
  }

  DefaultSubscription(
      String name,
      TransportSubscription running,
      Pipeline pipeline,
      SubscriptionControl control,
      Consumer<DefaultSubscription> onClose) {
    this.name = name;
    this.running = running;
    this.pipeline = pipeline;
    this.control = control;
    this.onClose = onClose;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The transport's view of this subscription with its circuit's, named {@code
   * subscription:<name>}.
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
    Health.Component named = component.withName("subscription:" + name);
    return pipeline == null ? named : pipeline.health(named);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        if (pipeline != null && control != null) {
          control.detach();
          try {
            running.pause();
          } catch (RuntimeException e) {
            // Closing goes on: the pipeline and the transport close regardless.
          }
          pipeline.close();
        }
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
