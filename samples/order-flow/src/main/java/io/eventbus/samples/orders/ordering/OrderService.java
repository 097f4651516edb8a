package io.eventbus.samples.orders.ordering;

import io.eventbus.EventPublisher;
import io.eventbus.PublishOptions;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.PaymentCompleted;
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
import java.util.concurrent.locks.LockSupport;

/**
 * The order service: places orders and takes their payments, publishing {@link OrderPlaced} and
 * then {@link PaymentCompleted} for each. One order of every run is broken on purpose: it has no
 * items, which the shipping service refuses.
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

  /** Whether {@code orderId} is the broken order of this run. */
  public boolean isPoison(String orderId) {
    return orderId.equals(orderId(poisonOrder));
  }

  /**
   * Places order number {@code number}: completes when both its events are sent (confirmed, or
   * stored in the outbox: see {@link #delivery()}).
   */
  public CompletableFuture<Void> place(int number) {
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
    return publish(order, correlated)
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
