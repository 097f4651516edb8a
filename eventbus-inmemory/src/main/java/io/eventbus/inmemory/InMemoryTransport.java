package io.eventbus.inmemory;

import io.eventbus.Health;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.RequestException;
import io.eventbus.UnroutableEventException;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.Partitions;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TelemetryNames;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import io.eventbus.spi.UnroutableEvents;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} that keeps its queues in memory, with the semantics of the RabbitMQ
 * transport, so that the real {@link io.eventbus.EventBus}, its pipeline and its codec run
 * unchanged and fast.
 *
 * <pre>{@code
 * InMemoryTransport transport = InMemoryTransport.create();
 * try (EventBus bus = EventBus.builder()
 *         .transport(transport)
 *         .subscribe("shipping", new ShippingHandlers())
 *         .build()) {
 *   bus.publishAndWait(new OrderPlaced("o-1", new BigDecimal("9.90")));
 *   transport.awaitIdle(Duration.ofSeconds(5));
 *   assertThat(transport.deadLetters("shipping")).isEmpty();
 * }
 * }</pre>
 *
 * <h2>Semantics (as on RabbitMQ)</h2>
 *
 * <ul>
 *   <li>One exchange: a message is routed by its type name to the queue of every subscription bound
 *       to that type (fan-out). Queues and bindings outlive the subscriptions that declared them.
 *   <li>One queue per subscription name, shared by every subscription with that name, on this
 *       transport and its {@link #peer() peers} (competing consumers).
 *   <li>{@code concurrency} worker threads per subscription, each handling one message at a time;
 *       {@code prefetch} has no effect.
 *   <li>{@link #send} completes once the message sits in at least one queue. A message no queue is
 *       bound for completes too, and is counted by type ({@link #unroutable()}, the health details,
 *       the metric {@value UnroutableEvents#METRIC}, a WARN for the first of each type); with
 *       {@link Builder#failUnroutable(boolean) failUnroutable} it fails with {@link
 *       UnroutableEventException} instead. After {@link #close()} it fails with {@link
 *       PublishNotConfirmedException}. Bodies are copied: what a handler gets went through the
 *       codec.
 *   <li>{@code pause()} stops the workers taking messages (a worker keeps its place as the active
 *       consumer of an ordered or partition queue) until {@code resume()}.
 *   <li>Ack removes a message; {@code requeue} puts it back at the head of its queue with {@code
 *       redelivered() == true}; a receiver that throws or returns without settling requeues it;
 *       {@code defer} puts a copy at its tail; {@code deadLetter} stores a {@link DeadLetter} with
 *       the reason headers in the subscription's {@link #deadLetters dead-letter list}.
 *   <li>Request-reply ({@link #request}, {@link #respond}): a request is routed by its type to the
 *       request queue of every responder subscription bound to it, and fails at once when there is
 *       none; a request queue lives while it has responders; a request expires in its queue at its
 *       timeout; the first reply wins.
 * </ul>
 *
 * <h2>Observability</h2>
 *
 * Spans and metrics name the system {@code inmemory} and the exchange {@code eventbus}; the
 * transport's own metric is {@value UnroutableEvents#METRIC}. {@link #health()} has one component,
 * {@code transport} (down once closed, with the unroutable counts as details); each subscription
 * reports its workers and, like on RabbitMQ, whether it is stalled (ready messages and no progress
 * for longer than its stall timeout).
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe. Handlers run on the transport's worker threads ({@code eventbus-inmemory-*}).
 *
 * <h2>Lifecycle</h2>
 *
 * The bus given the transport owns it. {@link #close()} stops its subscriptions (each waits up to
 * 30 s for handlers in flight) and makes later sends fail; it is idempotent. Messages still queued
 * stay with the shared state, where peers can consume them.
 *
 * <h2>Failures</h2>
 *
 * Only those of the contract above; nothing here times out except close's wait for handlers.
 */
public final class InMemoryTransport implements Transport {
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  private static final String EXCHANGE = "eventbus";

  private final InMemoryBroker broker;
  private final InMemoryRequests requests;
  private final Map<CompletableFuture<WireMessage>, OutboundMessage> pendingRequests =
      new ConcurrentHashMap<>();
  private final AtomicInteger serials;
  private final List<InMemorySubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<TransportSubscription> responding = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final boolean failUnroutable;
  private final UnroutableEvents unroutable =
      UnroutableEvents.create("the in-memory exchange '" + EXCHANGE + "'");
  private final List<AutoCloseable> instruments = new CopyOnWriteArrayList<>();

  private InMemoryTransport(
      InMemoryBroker broker,
      InMemoryRequests requests,
      AtomicInteger serials,
      boolean failUnroutable) {
    this.broker = broker;
    this.requests = requests;
    this.serials = serials;
    this.failUnroutable = failUnroutable;
  }

  /** A transport with fresh, empty in-memory state and the default settings. */
  public static InMemoryTransport create() {
    return builder().build();
  }

  /** A builder for a transport with settings of its own. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Another transport on the same in-memory state, as a second connection to the same broker: for a
   * second bus (another service, or another instance of the same one), with this one's settings. It
   * closes independently and counts its own unroutable sends.
   */
  public InMemoryTransport peer() {
    return builder().peerOf(this).failUnroutable(failUnroutable).build();
  }

  @Override
  public CompletionStage<Void> send(OutboundMessage message) {
    Objects.requireNonNull(message, "message");
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          PublishNotConfirmedException.failed(
              message.eventId(), message.eventType(), "the transport is closed", null));
    }
    WireMessage original = message.message();
    WireMessage copy =
        new WireMessage(original.body().clone(), original.contentType(), original.headers());
    if (broker.route(message.eventType(), copy) == 0) {
      if (!failUnroutable) {
        unroutable.accepted(message.eventType());
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.failedFuture(
          UnroutableEventException.returned(
              message.eventId(),
              message.eventType(),
              "exchange '" + broker.exchange + "' with routing key '" + message.eventType() + "'",
              "312 NO_ROUTE"));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(receiver, "receiver");
    if (closed.get()) {
      throw new IllegalStateException("The transport is closed");
    }
    InMemorySubscription subscription =
        new InMemorySubscription(broker, spec, receiver, SHUTDOWN_TIMEOUT);
    subscriptions.add(subscription);
    subscription.start(serials.incrementAndGet());
    return new TransportSubscription() {
      @Override
      public void close() {
        subscriptions.remove(subscription);
        subscription.close();
      }

      @Override
      public Health.Component health() {
        return subscription.health();
      }

      @Override
      public boolean pause() {
        return subscription.pause();
      }

      @Override
      public void resume() {
        subscription.resume();
      }
    };
  }

  /**
   * Routes the request by its type to the request queue of every responder subscription bound to it
   * (on this transport and its peers) and completes with the first reply; fails at once with {@link
   * RequestException.Reason#NO_RESPONDER} when none is bound, at {@code timeout} with {@link
   * RequestException.Reason#DEADLINE_EXCEEDED}, and with {@link RequestException.Reason#CLOSED}
   * when this transport closes first.
   */
  @Override
  public CompletionStage<WireMessage> request(OutboundMessage request, Duration timeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(timeout, "timeout");
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          RequestException.of(
              request.eventId(),
              request.eventType(),
              RequestException.Reason.CLOSED,
              "the transport is closed",
              null));
    }
    return requests.request(request, timeout, pendingRequests);
  }

  /**
   * Starts {@code spec.concurrency()} responder threads on the request queue named after the
   * subscription, shared with same-named responders of peers; the queue (and what waits in it) goes
   * when its last responder closes, as an auto-delete queue does.
   *
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public TransportSubscription respond(SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(receiver, "receiver");
    if (closed.get()) {
      throw new IllegalStateException("The transport is closed");
    }
    TransportSubscription responders = requests.respond(spec, receiver, SHUTDOWN_TIMEOUT);
    responding.add(responders);
    return new TransportSubscription() {
      @Override
      public void close() {
        responding.remove(responders);
        responders.close();
      }

      @Override
      public Health.Component health() {
        return responders.health();
      }
    };
  }

  /** System {@code inmemory}, exchange {@code eventbus}. */
  @Override
  public TelemetryNames telemetryNames() {
    return new TelemetryNames("inmemory", broker.exchange);
  }

  /** Registers the counter {@value UnroutableEvents#METRIC}; it ends with {@link #close()}. */
  @Override
  public void instrument(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    if (!closed.get()) {
      instruments.add(unroutable.instrument(openTelemetry, "io.eventbus.inmemory"));
    }
  }

  /**
   * One component, {@code transport}: up while open, down once closed; its details are {@code
   * unroutableAccepted} (a count) and {@code unroutableByType} (a map), as on RabbitMQ.
   */
  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("unroutableAccepted", unroutable.total());
    details.put("unroutableByType", unroutable.byType());
    return Health.of(
        List.of(
            closed.get()
                ? new Health.Component("transport", Health.Status.DOWN, "closed", details)
                : new Health.Component("transport", Health.Status.UP, "", details)));
  }

  /**
   * The sends of this transport that no queue was bound for and that completed normally (see {@link
   * Builder#failUnroutable(boolean)}), by type.
   */
  public UnroutableEvents unroutable() {
    return unroutable;
  }

  /**
   * The messages {@code subscription} parked so far, oldest first, with their reason headers. Also
   * sees what peers parked.
   */
  public List<DeadLetter> deadLetters(String subscription) {
    return broker.deadLetters(Objects.requireNonNull(subscription, "subscription"));
  }

  /** How many messages wait in {@code subscription}'s queue (not counting those being handled). */
  public int readyCount(String subscription) {
    return broker.ready(Objects.requireNonNull(subscription, "subscription"));
  }

  /**
   * Waits until no handler is running and every queue with a consumer is empty: everything
   * published so far has been handled or parked.
   *
   * @throws AssertionError naming the busy queues if that does not happen within {@code timeout}
   */
  public void awaitIdle(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    String busy;
    try {
      busy = broker.awaitIdle(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for the in-memory transport", e);
    }
    if (!busy.isEmpty()) {
      throw new AssertionError(
          "Expected the in-memory transport to be idle within " + timeout + " but: " + busy);
    }
  }

  /** Stops this transport's subscriptions and rejects later sends. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (InMemorySubscription subscription : subscriptions) {
      subscription.close();
    }
    subscriptions.clear();
    for (TransportSubscription responders : responding) {
      responders.close();
    }
    responding.clear();
    for (AutoCloseable instrument : instruments) {
      try {
        instrument.close();
      } catch (Exception e) {
        // An instrument that cannot unregister only keeps reporting its last counts.
      }
    }
    instruments.clear();
    pendingRequests.forEach(
        (pending, request) ->
            pending.completeExceptionally(
                RequestException.of(
                    request.eventId(),
                    request.eventType(),
                    RequestException.Reason.CLOSED,
                    "the transport closed before the reply came",
                    null)));
  }

  @Override
  public String toString() {
    return "InMemoryTransport[" + (closed.get() ? "closed" : "open") + "]";
  }

  /**
   * Collects a transport's settings. Not thread-safe.
   *
   * <pre>{@code
   * InMemoryTransport strict = InMemoryTransport.builder().failUnroutable(true).build();
   * }</pre>
   */
  public static final class Builder {
    private boolean failUnroutable;
    private @Nullable InMemoryTransport peerOf;

    private Builder() {}

    /**
     * Whether a send no queue is bound for fails with {@link UnroutableEventException} (the strict
     * mode), as {@code PublisherSettings.failUnroutable} on RabbitMQ (default false: it completes
     * and is counted in {@link #unroutable()}).
     */
    public Builder failUnroutable(boolean failUnroutable) {
      this.failUnroutable = failUnroutable;
      return this;
    }

    /**
     * Shares the in-memory state of {@code other}, as its {@link #peer()} does (default: fresh).
     */
    public Builder peerOf(InMemoryTransport other) {
      this.peerOf = Objects.requireNonNull(other, "other");
      return this;
    }

    /** The transport. */
    public InMemoryTransport build() {
      InMemoryTransport other = peerOf;
      return other == null
          ? new InMemoryTransport(
              new InMemoryBroker(EXCHANGE, Partitions.DEFAULT_COUNT),
              new InMemoryRequests(),
              new AtomicInteger(),
              failUnroutable)
          : new InMemoryTransport(other.broker, other.requests, other.serials, failUnroutable);
    }
  }
}
