package io.eventbus.testkit;

import io.eventbus.EventTypeRegistry;
import io.eventbus.codec.EventCodec;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.spi.Transport;
import io.eventbus.testkit.RecordedDelivery.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Records what goes through a transport, whichever it is: every publish with its outcome, and every
 * delivery to a subscription with how the pipeline settled it (handled, requeued, dead-lettered).
 * Tests await what they expect with a timeout, and read events back typed, decoded from the
 * recorded bytes with the real codec.
 *
 * <pre>{@code
 * EventRecorder recorder = EventRecorder.create();
 * try (EventBus bus = EventBus.builder()
 *         .transport(recorder.record(InMemoryTransport.create()))   // or a RabbitTransport
 *         .subscribe("shipping", new ShippingHandlers())
 *         .build()) {
 *   bus.publishAndWait(new OrderPlaced("o-1", new BigDecimal("9.90")));
 *   List<OrderPlaced> handled = recorder.awaitHandled(OrderPlaced.class, 1, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <h2>How it records</h2>
 *
 * {@link #record(Transport)} wraps a transport in a decorator: {@code send} records the message and
 * its outcome; {@code subscribe} wraps each delivery so that its settlement is recorded after the
 * wrapped transport carried it out (a dead letter is recorded once it was stored). "Handled" thus
 * means acknowledged, which is what the bus does when the handler and its middleware return
 * normally. No middleware is needed, so recorded subscriptions are exactly the production ones.
 * Every record also goes to the recorder's {@link #ledger()}.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; the recording transports may be used from any threads.
 *
 * <h2>Lifecycle</h2>
 *
 * Holds what it recorded until garbage-collected; make one per test (the JUnit extension does). It
 * never closes the transports it wraps; their bus does.
 *
 * <h2>Failures</h2>
 *
 * The {@code await*} methods throw {@link AssertionError} when the timeout passes, listing what did
 * arrive. Typed reads throw {@link IllegalStateException} when a recorded body does not decode.
 */
public final class EventRecorder {
  private static final int LISTED = 20;

  private final EventCodec codec;
  private final EventTypeRegistry registry;
  private final DeliveryLedger ledger;
  private final Duration defaultTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<RecordedPublish> published = new ArrayList<>();
  private final List<RecordedDelivery> deliveries = new ArrayList<>();

  private EventRecorder(Builder builder) {
    this.codec = builder.codec;
    this.registry = builder.registry;
    this.ledger = builder.ledger;
    this.defaultTimeout = builder.defaultTimeout;
  }

  /**
   * A recorder that decodes with {@link JacksonEventCodec} and names types by {@code @EventType}.
   */
  public static EventRecorder create() {
    return builder().build();
  }

  /** A builder for a recorder with another codec, registry, ledger or default timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code transport}, recording into this recorder. Give the result to the bus. */
  public Transport record(Transport transport) {
    return new RecordingTransport(Objects.requireNonNull(transport, "transport"), this);
  }

  /** The ledger every record also goes to. */
  public DeliveryLedger ledger() {
    return ledger;
  }

  /** The timeout the AssertJ assertions wait for outcomes (default 10 s). */
  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** Every publish with a known outcome, in order. */
  public List<RecordedPublish> published() {
    lock.lock();
    try {
      return List.copyOf(published);
    } finally {
      lock.unlock();
    }
  }

  /** The confirmed publishes of {@code type}, decoded, in order. */
  public <E> List<E> published(Class<E> type) {
    String name = typeName(type);
    return published().stream()
        .filter(p -> p.confirmed() && p.eventType().equals(name))
        .map(p -> p.as(type))
        .toList();
  }

  /** Every settled delivery, in order. */
  public List<RecordedDelivery> deliveries() {
    lock.lock();
    try {
      return List.copyOf(deliveries);
    } finally {
      lock.unlock();
    }
  }

  /** The events of {@code type} handled by any subscription (one per handling), decoded. */
  public <E> List<E> handled(Class<E> type) {
    return decoded(deliveries(), handledAs(null, typeName(type)), type);
  }

  /** The events of {@code type} handled by {@code subscription}, decoded. */
  public <E> List<E> handled(String subscription, Class<E> type) {
    return decoded(deliveries(), handledAs(subscription, typeName(type)), type);
  }

  /** Every dead-lettered delivery. */
  public List<RecordedDelivery> deadLettered() {
    return deliveries().stream().filter(d -> d.outcome() == Outcome.DEAD_LETTERED).toList();
  }

  /** The deliveries {@code subscription} dead-lettered. */
  public List<RecordedDelivery> deadLettered(String subscription) {
    return deliveries().stream().filter(deadLetteredBy(subscription)).toList();
  }

  /**
   * Waits until {@code count} events of {@code type} were handled (by any subscription) and returns
   * them, decoded.
   *
   * @throws AssertionError listing what arrived if fewer did within {@code timeout}
   */
  public <E> List<E> awaitHandled(Class<E> type, int count, Duration timeout) {
    String name = typeName(type);
    return decoded(
        awaitDeliveries(
            handledAs(null, name), "events of type '" + name + "' handled", count, timeout),
        d -> true,
        type);
  }

  /**
   * Waits until {@code subscription} handled {@code count} events of {@code type} and returns them.
   *
   * @throws AssertionError listing what arrived if fewer did within {@code timeout}
   */
  public <E> List<E> awaitHandled(String subscription, Class<E> type, int count, Duration timeout) {
    String name = typeName(type);
    return decoded(
        awaitDeliveries(
            handledAs(subscription, name),
            "events of type '" + name + "' handled by '" + subscription + "'",
            count,
            timeout),
        d -> true,
        type);
  }

  /**
   * Waits until {@code subscription} dead-lettered {@code count} messages and returns them.
   *
   * @throws AssertionError listing what arrived if fewer did within {@code timeout}
   */
  public List<RecordedDelivery> awaitDeadLettered(
      String subscription, int count, Duration timeout) {
    return awaitDeliveries(
        deadLetteredBy(subscription),
        "messages dead-lettered by '" + subscription + "'",
        count,
        timeout);
  }

  /**
   * Waits until {@code count} settled deliveries match {@code filter} and returns the first {@code
   * count} of them.
   *
   * @param description what is awaited, for the failure message
   * @throws AssertionError listing what arrived if fewer did within {@code timeout}
   */
  public List<RecordedDelivery> awaitDeliveries(
      Predicate<RecordedDelivery> filter, String description, int count, Duration timeout) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(timeout, "timeout");
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<RecordedDelivery> matching = deliveries.stream().filter(filter).toList();
        if (matching.size() >= count) {
          return matching.subList(0, count);
        }
        if (remaining <= 0) {
          throw new AssertionError(
              "Expected "
                  + count
                  + " "
                  + description
                  + " within "
                  + timeout
                  + " but "
                  + matching.size()
                  + " arrived: "
                  + listed(matching)
                  + "\n"
                  + summaryLocked());
        }
        remaining = changed.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for " + description, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the event {@code eventId} was handled or dead-lettered by some subscription, and
   * returns that first final settlement; empty if none came within {@code timeout}.
   */
  public Optional<RecordedDelivery> awaitSettled(String eventId, Duration timeout) {
    Objects.requireNonNull(eventId, "eventId");
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        for (RecordedDelivery delivery : deliveries) {
          if (eventId.equals(delivery.eventId())
              && (delivery.outcome() == Outcome.HANDLED
                  || delivery.outcome() == Outcome.DEAD_LETTERED)) {
            return Optional.of(delivery);
          }
        }
        if (remaining <= 0) {
          return Optional.empty();
        }
        remaining = changed.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** A summary of everything recorded, for failure messages. */
  public String summary() {
    lock.lock();
    try {
      return summaryLocked();
    } finally {
      lock.unlock();
    }
  }

  /** The type name of {@code type}: from the registry if given, else its {@code @EventType}. */
  public String typeName(Class<?> type) {
    Objects.requireNonNull(type, "type");
    return registry.nameFor(type).orElseGet(() -> EventTypeRegistry.declaredName(type));
  }

  void recordPublish(RecordedPublish publish) {
    if (publish.confirmed()) {
      ledger.recordConfirmed(publish.eventId());
    } else {
      ledger.recordPublishFailed(publish.eventId());
    }
    lock.lock();
    try {
      published.add(publish);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void recordDelivery(RecordedDelivery delivery) {
    String id = delivery.eventId();
    if (id != null) {
      if (delivery.outcome() == Outcome.HANDLED) {
        ledger.recordHandled(delivery.subscription(), id);
      } else if (delivery.outcome() == Outcome.DEAD_LETTERED) {
        ledger.recordDeadLettered(delivery.subscription(), id);
      }
    }
    lock.lock();
    try {
      deliveries.add(delivery);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  EventCodec codec() {
    return codec;
  }

  private String summaryLocked() {
    return "Recorded "
        + published.size()
        + " publishes "
        + listed(published)
        + " and "
        + deliveries.size()
        + " deliveries "
        + listed(deliveries);
  }

  private static String listed(List<?> items) {
    if (items.size() <= LISTED) {
      return items.toString();
    }
    return items.subList(0, LISTED) + " and " + (items.size() - LISTED) + " more";
  }

  private static Predicate<RecordedDelivery> handledAs(
      @Nullable String subscription, String typeName) {
    return d ->
        d.outcome() == Outcome.HANDLED
            && typeName.equals(d.eventType())
            && (subscription == null || subscription.equals(d.subscription()));
  }

  private static Predicate<RecordedDelivery> deadLetteredBy(String subscription) {
    Objects.requireNonNull(subscription, "subscription");
    return d -> d.outcome() == Outcome.DEAD_LETTERED && subscription.equals(d.subscription());
  }

  private static <E> List<E> decoded(
      List<RecordedDelivery> deliveries, Predicate<RecordedDelivery> filter, Class<E> type) {
    return deliveries.stream().filter(filter).map(d -> d.as(type)).toList();
  }

  /** Collects a recorder's parts. Not thread-safe. */
  public static final class Builder {
    private EventCodec codec = JacksonEventCodec.create();
    private EventTypeRegistry registry = EventTypeRegistry.empty();
    private DeliveryLedger ledger = DeliveryLedger.create();
    private Duration defaultTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** The codec that decodes recorded bodies (default {@link JacksonEventCodec#create()}). */
    public Builder codec(EventCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Type names for classes without {@code @EventType} (default: none, so names come from the
     * annotation).
     */
    public Builder registry(EventTypeRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The ledger to feed (default a new one). */
    public Builder ledger(DeliveryLedger ledger) {
      this.ledger = Objects.requireNonNull(ledger, "ledger");
      return this;
    }

    /** How long assertions wait for outcomes by default (default 10 s). */
    public Builder defaultTimeout(Duration defaultTimeout) {
      Objects.requireNonNull(defaultTimeout, "defaultTimeout");
      if (defaultTimeout.isNegative()) {
        throw new IllegalArgumentException("defaultTimeout must not be negative");
      }
      this.defaultTimeout = defaultTimeout;
      return this;
    }

    /** The recorder. */
    public EventRecorder build() {
      return new EventRecorder(this);
    }
  }
}
