package io.eventbus.samples.orders.points;

import io.eventbus.EventHandler;
import io.eventbus.SubscriptionOptions;
import io.eventbus.samples.orders.events.PaymentCompleted;
import java.math.RoundingMode;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** The loyalty-points service: one point per whole unit paid. */
public final class PointsHandlers {
  private final Map<String, Long> pointsByOrder = new ConcurrentHashMap<>();

  /** The defaults: one event at a time, the default retry policy and redelivery delays. */
  public static SubscriptionOptions.Builder options(String queue) {
    return SubscriptionOptions.builder(queue);
  }

  @EventHandler
  void on(PaymentCompleted payment) {
    long points = payment.amount().setScale(0, RoundingMode.DOWN).longValueExact();
    // Keyed by order, so a redelivered payment awards nothing twice.
    pointsByOrder.putIfAbsent(payment.orderId(), points);
  }

  /** The points awarded for {@code orderId}, if any. */
  public OptionalLong awarded(String orderId) {
    Long points = pointsByOrder.get(orderId);
    return points == null ? OptionalLong.empty() : OptionalLong.of(points);
  }
}
