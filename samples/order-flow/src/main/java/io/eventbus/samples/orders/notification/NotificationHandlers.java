package io.eventbus.samples.orders.notification;

import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The notification service: mails an order confirmation when an order is placed and the tracking
 * code when it ships, through a {@link Mailer} that fails now and then.
 */
public final class NotificationHandlers {
  private final Mailer mailer;
  private final Set<String> handledEvents = ConcurrentHashMap.newKeySet();
  private final Map<String, List<String>> sentByOrder = new ConcurrentHashMap<>();

  public NotificationHandlers(Mailer mailer) {
    this.mailer = mailer;
  }

  /**
   * Four mails at a time. A failed send is retried in process 3 times within about 150 ms; if the
   * mail server is still down, the event is redelivered after 0.5, 1 and 2 s without holding a
   * consumer thread, and parked only after that. Production values would be longer; these let the
   * demo finish in seconds.
   */
  public static SubscriptionOptions.Builder options(String queue) {
    return SubscriptionOptions.builder(queue)
        .concurrency(4)
        .retryPolicy(
            RetryPolicy.builder()
                .maxAttempts(3)
                .backoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(200))
                .build())
        .redeliveryDelays(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @EventHandler
  void on(OrderPlaced order, EventContext context) {
    send(
        context,
        order.orderId(),
        "confirmation",
        "Thank you! Order " + order.orderId() + " of " + order.items().size() + " item(s).");
  }

  @EventHandler
  void on(ShipmentDispatched shipment, EventContext context) {
    send(
        context,
        shipment.orderId(),
        "tracking",
        "Order " + shipment.orderId() + " is on its way: " + shipment.trackingCode());
  }

  private void send(EventContext context, String orderId, String kind, String text) {
    // Delivery is at least once: an event seen before was mailed before.
    if (handledEvents.contains(context.metadata().id())) {
      return;
    }
    mailer.send(orderId, text);
    handledEvents.add(context.metadata().id());
    sentByOrder.computeIfAbsent(orderId, id -> new CopyOnWriteArrayList<>()).add(kind);
  }

  /** What was mailed for {@code orderId}, in order: {@code confirmation}, {@code tracking}. */
  public List<String> sent(String orderId) {
    return List.copyOf(sentByOrder.getOrDefault(orderId, List.of()));
  }
}
