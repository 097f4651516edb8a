package io.eventbus.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventContext;
import io.eventbus.EventDecodingException;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.provider.Arguments;

/** The events, options, handlers and raw messages {@link TransportConformance}'s scenarios use. */
final class Scenarios {
  static final Duration WAIT = TransportConformance.WAIT;

  private Scenarios() {}

  static final String ORDER_PLACED = "tk.order.placed.v1";

  @EventType(ORDER_PLACED)
  record OrderPlaced(String orderId, int items) {}

  @EventType("tk.payment.completed.v1")
  record PaymentCompleted(String orderId, long amountCents) {}

  static final String RESERVE_STOCK = "tk.stock.reserve.v1";

  @EventType(RESERVE_STOCK)
  record ReserveStock(String sku, int quantity) {}

  @EventType("tk.stock.reserved.v1")
  record StockReserved(String sku, int quantity, String by) {}

  /** Annotated handlers that bill each order by publishing a follow-up through their context. */
  static final class Billing {
    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      context
          .publisher()
          .publishAndWait(new PaymentCompleted(order.orderId(), order.items() * 100L));
    }
  }

  /** A responder named {@code by} that reserves whatever is asked, failing for quantity 0. */
  static Handlers stockResponder(String by) {
    return Handlers.builder()
        .answer(
            ReserveStock.class,
            (request, context) -> {
              if (request.quantity() == 0) {
                throw new IllegalStateException("nothing to reserve of " + request.sku());
              }
              return new StockReserved(request.sku(), request.quantity(), by);
            })
        .build();
  }

  /** Jackson cannot serialize a bare {@code Object}: publishing this fails before sending. */
  @EventType("tk.unencodable.v1")
  record Unencodable(Object payload) {}

  /** Serializes (a getter) but cannot be deserialized (no creator Jackson can use). */
  @EventType("tk.undecodable.v1")
  static final class Undecodable {
    private final String orderId;

    Undecodable(String orderId, int unused) {
      this.orderId = orderId;
    }

    public String getOrderId() {
      return orderId;
    }
  }

  static Stream<Arguments> malformedInput() {
    return Stream.of(
        Arguments.argumentSet(
            "malformed JSON",
            headers("bad-json", ORDER_PLACED),
            "application/json",
            "{\"orderId\":",
            "decoding-failed",
            EventDecodingException.class),
        Arguments.argumentSet(
            "an unknown type name",
            headers("unknown", "tk.nobody.knows.v1"),
            "application/json",
            "{\"orderId\":\"o-1\",\"items\":1}",
            "unknown-type",
            UnknownEventTypeException.class),
        Arguments.argumentSet(
            "a missing id",
            headers(null, ORDER_PLACED),
            "application/json",
            "{\"orderId\":\"o-1\",\"items\":1}",
            "decoding-failed",
            EventDecodingException.class),
        Arguments.argumentSet(
            "a wrong content type",
            headers("text", ORDER_PLACED),
            "text/plain",
            "{\"orderId\":\"o-1\",\"items\":1}",
            "decoding-failed",
            EventDecodingException.class));
  }

  /** In-process retries with a 10 ms back-off, waited through the bus's injected sleeper. */
  static RetryPolicy quickRetries(int attempts) {
    return RetryPolicy.builder()
        .maxAttempts(attempts)
        .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10))
        .jitter(0)
        .build();
  }

  /** Options that park a failing event at once: no retries, no redeliveries. */
  static SubscriptionOptions parkAtOnce(String name) {
    return SubscriptionOptions.builder(name)
        .retryPolicy(RetryPolicy.none())
        .redeliveryDelays()
        .build();
  }

  static SubscriptionOptions named(String name) {
    return SubscriptionOptions.named(name);
  }

  /** Records each event, then waits until {@code latch} reaches zero: proves parallel handling. */
  static Handlers waitingHandler(CountDownLatch latch, List<String> handled) {
    return Handlers.builder()
        .on(
            OrderPlaced.class,
            (event, context) -> {
              handled.add(event.orderId());
              latch.countDown();
              if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other consumers never became busy");
              }
            })
        .build();
  }

  /** A dependency of a handler that is down until told otherwise: an outage. */
  static final class Dependency {
    private volatile boolean down = true;

    void recover() {
      down = false;
    }

    void call(String what) {
      if (down) {
        throw new IllegalStateException("the dependency is down, " + what + " failed");
      }
    }
  }

  /**
   * Opens after 2 failures of the last 2 deliveries, stays open {@code open}, probes with one: a
   * breaker that trips and probes quickly.
   */
  static CircuitBreakerPolicy quickBreaker(Duration open) {
    return CircuitBreakerPolicy.builder()
        .slidingWindow(2)
        .minimumCalls(2)
        .failureRateThreshold(50)
        .openDuration(open)
        .probes(1)
        .build();
  }

  /**
   * Records how many handlers of each event type run at once, at most, over a short piece of work.
   */
  static final class InFlight {
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> most = new ConcurrentHashMap<>();

    void run(String key) {
      for (String counter : new String[] {key, "all"}) {
        int now = running.computeIfAbsent(counter, k -> new AtomicInteger()).incrementAndGet();
        most.computeIfAbsent(counter, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      }
      // A little work, so that handlers overlap when nothing limits them.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3));
      running.get(key).decrementAndGet();
      running.get("all").decrementAndGet();
    }

    int most(String key) {
      AtomicInteger value = most.get(key);
      return value == null ? 0 : value.get();
    }
  }

  static List<String> next(BlockingQueue<String> queue, int count) throws Exception {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String item = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(item).as("item %d of %d after %s", i + 1, count, items).isNotNull();
      items.add(item);
    }
    return items;
  }

  static void send(Transport transport, String id, String body) {
    transport.send(outbound(id, body)).toCompletableFuture().join();
  }

  static OutboundMessage outbound(String id, String body) {
    return new OutboundMessage(
        id,
        ORDER_PLACED,
        new WireMessage(
            body.getBytes(StandardCharsets.UTF_8), "application/json", headers(id, ORDER_PLACED)));
  }

  static String validBody() {
    return "{\"orderId\":\"o-1\",\"items\":1}";
  }

  static Map<String, String> headers(@Nullable String id, String type) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    if (id != null) {
      headers.put("cloudEvents:id", id);
    }
    headers.put("cloudEvents:source", "urn:testkit");
    headers.put("cloudEvents:type", type);
    return headers;
  }
}
