package io.eventbus.samples.orders.ordering;

import io.eventbus.EventBus;
import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.RequestPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.samples.orders.events.CheckCustomer;
import io.eventbus.samples.orders.events.CustomerChecked;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.samples.orders.events.ReserveStock;
import io.eventbus.samples.orders.events.StockReserved;
import io.eventbus.samples.orders.monitor.ServiceMetrics;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The order service: places orders and takes their payments. Before it accepts an order it checks
 * the customer ({@link CheckCustomer}) and reserves the stock ({@link ReserveStock}) by
 * request-reply, then publishes {@link OrderPlaced} and {@link PaymentCompleted}. When a responder
 * is down its request policy's fallback answers (an unverified customer, a deferred reservation),
 * and the order goes on. One order of every run is broken on purpose: it has no items, which the
 * shipping service refuses.
 *
 * <p>Publishing is asynchronous: {@code publish} returns at once and its stage completes when the
 * broker confirmed the event, so a slow confirm never holds up the next order.
 */
public final class OrderService {
  private final EventPublisher publisher;
  private final @Nullable EventBus requester;
  private final AtomicLong checked = new AtomicLong();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong fallbacks = new AtomicLong();
  private volatile IntConsumer beforeOrder = number -> {};
  private final String runId;
  private final int poisonOrder;
  private final ServiceMetrics metrics;
  private final List<String> attempted = new CopyOnWriteArrayList<>();
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  private final Map<String, Throwable> failed = new ConcurrentHashMap<>();

  /**
   * @param runId prefixes this run's order ids, so that they differ from earlier runs' leftovers
   * @param poisonOrder the number of the order that has no items
   */
  public OrderService(
      EventPublisher publisher, String runId, int poisonOrder, ServiceMetrics metrics) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.requester = publisher instanceof EventBus bus ? bus : null;
    this.runId = Objects.requireNonNull(runId, "runId");
    this.poisonOrder = poisonOrder;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** The id of order number {@code number} of this run. */
  public String orderId(int number) {
    return String.format("%s-%03d", runId, number);
  }

  /** Whether {@code orderId} is the broken order of this run. */
  public boolean isPoison(String orderId) {
    return orderId.equals(orderId(poisonOrder));
  }

  /**
   * Runs {@code hook} with each order's number just before the order is placed (the demo outage).
   */
  public void beforeEachOrder(IntConsumer hook) {
    this.beforeOrder = Objects.requireNonNull(hook, "hook");
  }

  /**
   * The request policies of the order service: a customer check answered "unverified" when the
   * customer service is down; a stock reservation (safe to repeat) retried twice, behind a circuit
   * breaker, answered "deferred" when the inventory service is down.
   */
  public static Map<Class<?>, RequestPolicy> requestPolicies() {
    return Map.of(
        CheckCustomer.class,
        RequestPolicy.builder()
            .timeout(Duration.ofMillis(500))
            .fallback(CustomerChecked.class, failure -> new CustomerChecked("unknown", true, false))
            .build(),
        ReserveStock.class,
        RequestPolicy.builder()
            .timeout(Duration.ofMillis(800))
            .idempotent(true)
            .retry(
                RetryPolicy.builder()
                    .maxAttempts(2)
                    .backoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(100))
                    .build())
            .circuitBreaker(
                RequestPolicy.CircuitBreakerSettings.defaults()
                    .withWindow(6, 3)
                    .withOpenDuration(Duration.ofSeconds(1)))
            .fallback(
                StockReserved.class,
                failure -> new StockReserved("unknown", false, "deferred: " + failure.reason()))
            .build());
  }

  /** Customer checks answered by the customer service. */
  public long customersChecked() {
    return checked.get();
  }

  /** Stock reservations answered by the inventory service. */
  public long stockReserved() {
    return reserved.get();
  }

  /** Requests answered by a fallback because a responder was down. */
  public long fallbacks() {
    return fallbacks.get();
  }

  /**
   * Checks the customer and reserves the stock before the order is accepted; completes when both
   * are answered (by the responders or by a fallback). Without a bus to ask (a publisher only),
   * completes at once.
   */
  private CompletionStage<Void> acceptable(String orderId, String email, List<String> items) {
    EventBus bus = requester;
    if (bus == null) {
      return CompletableFuture.completedFuture(null);
    }
    return bus.request(new CheckCustomer(email), CustomerChecked.class)
        .thenCompose(
            customer -> {
              if (customer.verified()) {
                checked.incrementAndGet();
              } else {
                fallbacks.incrementAndGet();
              }
              return bus.request(new ReserveStock(orderId, items), StockReserved.class);
            })
        .thenAccept(
            stock -> {
              if (stock.reserved()) {
                reserved.incrementAndGet();
              } else {
                fallbacks.incrementAndGet();
              }
            });
  }

  /** Places order number {@code number}: completes when both its events are confirmed. */
  public CompletableFuture<Void> place(int number) {
    beforeOrder.accept(number);
    String orderId = orderId(number);
    attempted.add(orderId);
    BigDecimal total = BigDecimal.valueOf(1099 + (number * 731L) % 9000, 2);
    List<String> items =
        number == poisonOrder
            ? List.of() // a client bug lost the items: shipping cannot ship this
            : List.of("sku-" + (number % 17), "sku-" + (100 + number % 5));
    OrderPlaced order =
        new OrderPlaced(orderId, "customer" + number + "@example.com", items, total);
    PublishOptions correlated = PublishOptions.none().withCorrelationId(orderId);
    return acceptable(orderId, order.customerEmail(), items)
        .thenCompose(accepted -> publish(order, correlated))
        .thenCompose(placed -> publish(new PaymentCompleted(orderId, total), correlated))
        .toCompletableFuture()
        .handle(
            (receipt, failure) -> {
              if (failure == null) {
                confirmed.add(orderId);
              } else {
                failed.put(orderId, failure.getCause() != null ? failure.getCause() : failure);
              }
              return null;
            });
  }

  private CompletionStage<PublishReceipt> publish(Object event, PublishOptions options) {
    long start = System.nanoTime();
    return publisher
        .publish(event, options)
        .whenComplete(
            (receipt, failure) -> {
              if (failure == null) {
                metrics.recordConfirmed(Duration.ofNanos(System.nanoTime() - start));
              } else {
                metrics.recordFailure();
              }
            });
  }

  /**
   * Places orders 1, 2, 3… at {@code perSecond} until {@code count} are placed or {@code duration}
   * has passed, on a thread of its own; completes once every publish completed, with the number of
   * orders placed. Cancelling the returned future stops placing.
   */
  public CompletableFuture<Integer> placeOrders(int count, double perSecond, Duration duration) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    Thread pacer =
        new Thread(
            () -> {
              List<CompletableFuture<Void>> placing = new ArrayList<>();
              long start = System.nanoTime();
              long period = (long) (1e9 / perSecond);
              for (int number = 1; number <= count && !done.isDone(); number++) {
                long due = start + (number - 1) * period;
                if (due - start >= duration.toNanos()) {
                  break;
                }
                for (long wait = due - System.nanoTime();
                    wait > 0;
                    wait = due - System.nanoTime()) {
                  LockSupport.parkNanos(wait);
                }
                placing.add(place(number));
              }
              int placed = placing.size();
              CompletableFuture.allOf(placing.toArray(CompletableFuture[]::new))
                  .whenComplete((ignored, failure) -> done.complete(placed));
            },
            "order-service-pacer");
    pacer.setDaemon(true);
    pacer.start();
    return done;
  }

  /** Ids of the orders placed so far, in order. */
  public List<String> attempted() {
    return List.copyOf(attempted);
  }

  /** Whether both events of {@code orderId} were confirmed. */
  public boolean confirmed(String orderId) {
    return confirmed.contains(orderId);
  }

  /** Orders whose events could not be published, with the reason. */
  public Map<String, Throwable> failed() {
    return Map.copyOf(failed);
  }
}
