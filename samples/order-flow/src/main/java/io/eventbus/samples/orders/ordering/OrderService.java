package io.eventbus.samples.orders.ordering;

import io.eventbus.EventBus;
import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
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
 * request-reply ({@link #askWith}), then publishes {@link OrderPlaced} and {@link
 * PaymentCompleted}. When a responder is down its request policy's fallback answers (an unverified
 * customer, a deferred reservation), and the order goes on. One order of every run is broken on
 * purpose: it has no items, which the shipping service refuses.
 *
 * <p>Publishing is asynchronous: {@code publish} returns at once and its stage completes when the
 * broker confirmed the event, so a slow confirm never holds up the next order. With PostgreSQL the
 * events go through the transactional outbox instead ({@link OutboxEvents}): each is stored in the
 * transaction that records the order or its payment, and published after the commit.
 */
public final class OrderService {
  /**
   * How the service's events leave it: published directly, or stored through a transactional outbox
   * ({@link OutboxEvents}). The stage completes when the event is safe: confirmed by the broker, or
   * committed to the outbox; {@link #delivery()} says which.
   */
  @FunctionalInterface
  public interface Events {
    CompletionStage<?> send(Object event, PublishOptions options);

    /** What a completed {@link #send} means; published directly unless overridden. */
    default Delivery delivery() {
      return Delivery.CONFIRMED;
    }
  }

  /** What it means that an event of the service was sent, in the words the summary uses. */
  public enum Delivery {
    /** Published directly: the broker confirmed it. */
    CONFIRMED("confirmed", "publish-to-confirm"),
    /** Stored through the outbox: the transaction that stored it committed; the relay sends it. */
    STORED("stored in the outbox", "store-to-commit");

    private final String outcome;
    private final String latency;

    Delivery(String outcome, String latency) {
      this.outcome = outcome;
      this.latency = latency;
    }

    /** What happened to a sent event: {@code confirmed}, {@code stored in the outbox}. */
    public String outcome() {
      return outcome;
    }

    /** What the service's latency measures: {@code publish-to-confirm}, {@code store-to-commit}. */
    public String latency() {
      return latency;
    }
  }

  private final Events events;
  private volatile @Nullable EventBus requester;
  private final AtomicLong checked = new AtomicLong();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong fallbacks = new AtomicLong();
  private volatile IntConsumer beforeOrder = number -> {};
  private final String runId;
  private final int poisonOrder;
  private final ServiceMetrics metrics;
  private final List<String> attempted = new CopyOnWriteArrayList<>();
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final Map<String, Throwable> failed = new ConcurrentHashMap<>();

  /**
   * @param runId prefixes this run's order ids, so that they differ from earlier runs' leftovers
   * @param poisonOrder the number of the order that has no items
   */
  public OrderService(
      EventPublisher publisher, String runId, int poisonOrder, ServiceMetrics metrics) {
    this(Objects.requireNonNull(publisher, "publisher")::publish, runId, poisonOrder, metrics);
  }

  /** An order service whose events leave through {@code events}. */
  public OrderService(Events events, String runId, int poisonOrder, ServiceMetrics metrics) {
    this.events = Objects.requireNonNull(events, "events");
    this.runId = Objects.requireNonNull(runId, "runId");
    this.poisonOrder = poisonOrder;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** The id of order number {@code number} of this run. */
  public String orderId(int number) {
    return String.format("%s-%03d", runId, number);
  }

  /** Checks customers and reserves stock through {@code bus} before accepting each order. */
  public void askWith(EventBus bus) {
    this.requester = Objects.requireNonNull(bus, "bus");
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
   * are answered (by the responders or by a fallback). Without a bus to ask, completes at once.
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

  /** Whether {@code orderId} is the broken order of this run. */
  public boolean isPoison(String orderId) {
    return orderId.equals(orderId(poisonOrder));
  }

  /**
   * Places order number {@code number}: completes when both its events are sent (confirmed, or
   * stored in the outbox: see {@link #delivery()}).
   */
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
                sent.add(orderId);
              } else {
                failed.put(orderId, failure.getCause() != null ? failure.getCause() : failure);
              }
              return null;
            });
  }

  private CompletionStage<?> publish(Object event, PublishOptions options) {
    long start = System.nanoTime();
    return events
        .send(event, options)
        .whenComplete(
            (receipt, failure) -> {
              if (failure == null) {
                metrics.recordSent(Duration.ofNanos(System.nanoTime() - start));
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

  /** Whether both events of {@code orderId} were sent: confirmed, or stored in the outbox. */
  public boolean sent(String orderId) {
    return sent.contains(orderId);
  }

  /** What it means here that an event was sent. */
  public Delivery delivery() {
    return events.delivery();
  }

  /** Orders whose events could not be published, with the reason. */
  public Map<String, Throwable> failed() {
    return Map.copyOf(failed);
  }
}
