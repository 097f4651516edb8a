package io.eventbus.spi;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps accepted unroutable events visible: events a transport published that no queue was bound
 * for, and that it completed normally because it does not {@code failUnroutable}. Each is counted
 * by its event type; the first of each type is logged at WARN (the type escaped with {@link
 * SafeText}, never the payload); the counts are read by a transport's health details and reported
 * as the asynchronous counter {@value #METRIC} with the attribute {@code cloudevents.event_type}.
 * Transport authors use one per transport, so that every transport behaves alike.
 *
 * <pre>{@code
 * UnroutableEvents unroutable = UnroutableEvents.create("RabbitMQ exchange 'eventbus'");
 * unroutable.accepted("order.placed.v1");   // WARN once, then only counted
 * unroutable.total();                       // 1
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe; {@link #accepted} costs one map look-up and one addition after the first event of a
 * type.
 *
 * <h2>Lifecycle</h2>
 *
 * Lives as long as its transport; {@link #instrument} returns the registration, which the transport
 * closes with itself.
 */
public final class UnroutableEvents {
  /** The counter's name. */
  public static final String METRIC = "eventbus.publisher.unroutable_accepted";

  /**
   * How many distinct types are counted one by one; events of further types are counted under
   * {@code "(other)"}, so that a publisher of ever-new type names cannot grow the map without
   * bound.
   */
  public static final int MAX_TYPES = 1_000;

  private static final Logger log = LoggerFactory.getLogger(UnroutableEvents.class);
  private static final AttributeKey<String> EVENT_TYPE =
      AttributeKey.stringKey("cloudevents.event_type");
  private static final String OTHER = "(other)";

  private final String destination;
  private final ConcurrentHashMap<String, LongAdder> byType = new ConcurrentHashMap<>();

  private UnroutableEvents(String destination) {
    this.destination = destination;
  }

  /**
   * Counts for a transport publishing to {@code destination}, a short description for the WARN line
   * (such as {@code "exchange 'eventbus'"}).
   */
  public static UnroutableEvents create(String destination) {
    return new UnroutableEvents(Objects.requireNonNull(destination, "destination"));
  }

  /** Counts one accepted unroutable event of {@code eventType}; logs the first of its type. */
  public void accepted(String eventType) {
    Objects.requireNonNull(eventType, "eventType");
    LongAdder count = byType.get(eventType);
    if (count == null) {
      String key = byType.size() >= MAX_TYPES ? OTHER : eventType;
      LongAdder fresh = new LongAdder();
      count = byType.putIfAbsent(key, fresh);
      if (count == null) {
        count = fresh;
        if (key.equals(OTHER)) {
          log.warn(
              "No queue is bound for event types beyond the first {} on {} either: they are"
                  + " counted together as {}",
              MAX_TYPES,
              destination,
              OTHER);
        } else {
          log.warn(
              "No queue is bound for event type {} on {}: the publish was accepted and is counted"
                  + " (metric {}, health detail unroutableAccepted); later ones of this type are"
                  + " only counted. Set failUnroutable to make such publishes fail.",
              SafeText.of(key),
              destination,
              METRIC);
        }
      }
    }
    count.increment();
  }

  /** All accepted unroutable events so far. */
  public long total() {
    long total = 0;
    for (LongAdder count : byType.values()) {
      total += count.sum();
    }
    return total;
  }

  /** The accepted unroutable events so far by event type, sorted by type; a snapshot. */
  public Map<String, Long> byType() {
    Map<String, Long> snapshot = new TreeMap<>();
    byType.forEach((type, count) -> snapshot.put(type, count.sum()));
    return snapshot;
  }

  /**
   * Registers the counter {@value #METRIC} (unit {@code {message}}, one point per event type) with
   * {@code openTelemetry}'s meter named {@code instrumentationScope}; close the result to
   * unregister it.
   */
  public AutoCloseable instrument(OpenTelemetry openTelemetry, String instrumentationScope) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    Objects.requireNonNull(instrumentationScope, "instrumentationScope");
    return openTelemetry
        .getMeter(instrumentationScope)
        .counterBuilder(METRIC)
        .setUnit("{message}")
        .setDescription(
            "Published events no queue was bound for, accepted because failUnroutable is off.")
        .buildWithCallback(
            m ->
                byType.forEach(
                    (type, count) -> m.record(count.sum(), Attributes.of(EVENT_TYPE, type))));
  }
}
