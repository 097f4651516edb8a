package io.eventbus.samples.orders.spring;

import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.samples.orders.spring.events.OrderPlaced;
import io.eventbus.samples.orders.spring.events.PaymentCompleted;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;

/**
 * Plays the order service once the application is ready: places {@code order-flow.demo.orders}
 * orders (the third without items, so that shipping parks it) and pays for each, then reports what
 * shipping made of them. Off with {@code order-flow.demo.orders=0}, for example when the plain
 * sample's {@code --role order} places the orders.
 */
@Component
@ConditionalOnExpression("${order-flow.demo.orders:0} > 0")
class DemoOrders implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(DemoOrders.class);

  private final EventPublisher publisher;
  private final Shipments shipments;
  private final int orders;

  DemoOrders(
      EventPublisher publisher,
      Shipments shipments,
      @Value("${order-flow.demo.orders}") int orders) {
    this.publisher = publisher;
    this.shipments = shipments;
    this.orders = orders;
  }

  @Override
  public void run(ApplicationArguments args) {
    String run = Integer.toString(ThreadLocalRandom.current().nextInt(46_656, 1_679_616), 36);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= orders; i++) {
      String orderId = run + "-" + i;
      ids.add(orderId);
      List<String> items = i == 3 ? List.of() : List.of("sku-" + i);
      PublishOptions correlated = PublishOptions.none().withCorrelationId(orderId);
      publisher.publish(
          new OrderPlaced(orderId, orderId + "@example.com", items, BigDecimal.TEN), correlated);
      publisher.publish(new PaymentCompleted(orderId, BigDecimal.TEN), correlated);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline
        && ids.stream()
            .anyMatch(id -> shipments.shipment(id).isEmpty() && !shipments.isRejected(id))) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    for (String id : ids) {
      log.info(
          "order {}: {}",
          id,
          shipments
              .shipment(id)
              .map(s -> "dispatched, tracking " + s.trackingCode())
              .orElse(
                  shipments.isRejected(id)
                      ? "refused (no items), parked in the dead-letter queue"
                      : "not settled yet"));
    }
    log.info(
        "order-flow-spring is running; health at /actuator/health, Ctrl+C stops it gracefully");
  }
}
