package io.eventbus.samples.orders;

import io.eventbus.EventBus;
import io.eventbus.EventBusException;
import io.eventbus.PublishOptions;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.notification.NotificationHandlers;
import io.eventbus.samples.orders.shipping.ShippingHandlers;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The e-commerce order flow in one process: the order service places orders and takes payments, the
 * shipping service dispatches paid orders, and the notification service tells customers.
 *
 * <p>Run with {@code --uri amqp://user:pass@host:5672} and {@code --orders N}.
 */
public final class OrderFlow {
  private OrderFlow() {}

  public static void main(String[] args) throws InterruptedException {
    String uri = option(args, "--uri", "amqp://guest:guest@127.0.0.1:5672");
    int orders = Integer.parseInt(option(args, "--orders", "5"));
    System.exit(run(uri, orders, Duration.ofSeconds(30)) ? 0 : 1);
  }

  /** Runs the flow for {@code orders} orders; true if every order was shipped and notified. */
  static boolean run(String uri, int orders, Duration timeout) throws InterruptedException {
    RabbitTransport transport;
    try {
      transport =
          RabbitTransport.builder()
              .uri(uri)
              .connectionName("order-flow-sample")
              .topology(RabbitTopology.defaults().withExchange("eventbus.samples"))
              .build();
    } catch (EventBusException e) {
      System.err.println("order-flow: " + e.getMessage());
      System.err.println("Start a local broker with: sudo rabbitmq-server -detached");
      return false;
    }
    Set<String> placed = ConcurrentHashMap.newKeySet();
    CountDownLatch notified = new CountDownLatch(orders);
    long start = System.nanoTime();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .source("/samples/order-service")
            .register(OrderPlaced.class, PaymentCompleted.class)
            .subscribe(
                "sample.notification",
                new NotificationHandlers(
                    id -> {
                      if (placed.contains(id)) {
                        notified.countDown();
                      }
                    }))
            .build()) {
      bus.subscribe("sample.shipping", new ShippingHandlers(bus));
      System.out.printf("order-flow: %d orders on the broker at %s%n", orders, redacted(uri));
      String run = Long.toString(System.currentTimeMillis() % 100_000, 36);
      for (int i = 1; i <= orders; i++) {
        String orderId = "order-" + run + "-" + i;
        placed.add(orderId);
        BigDecimal total = new BigDecimal(10 * i).add(new BigDecimal("0.99"));
        PublishOptions correlated = PublishOptions.none().withCorrelationId(orderId);
        bus.publish(
                new OrderPlaced(
                    orderId, "customer" + i + "@example.com", List.of("sku-" + i), total),
                correlated)
            .thenCompose(
                placedReceipt -> bus.publish(new PaymentCompleted(orderId, total), correlated))
            .toCompletableFuture()
            .join();
        System.out.printf("  orders        %s placed and paid, total %s%n", orderId, total);
      }
      boolean done = notified.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      System.out.printf(
          "order-flow: %d of %d orders placed, paid, shipped and notified in %d ms%n",
          orders - notified.getCount(),
          orders,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      return done;
    }
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static String redacted(String uri) {
    return uri.replaceFirst("//([^:/@]+):[^@]*@", "//$1@");
  }
}
