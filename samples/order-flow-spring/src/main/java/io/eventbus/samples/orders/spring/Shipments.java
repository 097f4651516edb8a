package io.eventbus.samples.orders.spring;

import io.eventbus.samples.orders.spring.events.OrderPlaced;
import io.eventbus.samples.orders.spring.events.ShipmentDispatched;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * What shipping knows about orders. In memory, as a sample may; a real service keeps it in its
 * database, where deduplication by order id would be a unique key.
 */
@Component
public class Shipments {
  private final Map<String, OrderPlaced> waitingForPayment = new ConcurrentHashMap<>();
  private final Set<String> rejected = ConcurrentHashMap.newKeySet();
  private final Map<String, ShipmentDispatched> dispatched = new ConcurrentHashMap<>();

  void placed(OrderPlaced order) {
    if (!dispatched.containsKey(order.orderId())) {
      waitingForPayment.put(order.orderId(), order);
    }
  }

  void rejected(String orderId) {
    rejected.add(orderId);
  }

  /** Whether a payment for {@code orderId} still needs a shipment. */
  boolean needsShipment(String orderId) {
    return !dispatched.containsKey(orderId) && !rejected.contains(orderId);
  }

  void dispatched(ShipmentDispatched shipment) {
    waitingForPayment.remove(shipment.orderId());
    dispatched.put(shipment.orderId(), shipment);
  }

  /** The shipment of {@code orderId}, once dispatched. */
  public Optional<ShipmentDispatched> shipment(String orderId) {
    return Optional.ofNullable(dispatched.get(orderId));
  }

  /** Whether {@code orderId} was refused as invalid. */
  public boolean isRejected(String orderId) {
    return rejected.contains(orderId);
  }

  /** How many orders were dispatched. */
  public int dispatchedCount() {
    return dispatched.size();
  }
}
