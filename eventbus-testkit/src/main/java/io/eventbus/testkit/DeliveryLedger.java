package io.eventbus.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A per-event-id account of what happened to every event of a test run: published, confirmed (or
 * failed), and per subscription how often it was handled and whether it was parked. It states the
 * bus's first promise as one check: every confirmed event was handled or parked, so {@link
 * Report#lost()} is empty; and it counts the duplicates that at-least-once delivery allows.
 *
 * <pre>{@code
 * DeliveryLedger ledger = recorder.ledger();          // fed by an EventRecorder's transports
 * // ... publish, cut connections, restart consumers ...
 * EventBusAssertions.assertThat(ledger).within(Duration.ofSeconds(10)).lostNothing("shipping");
 * }</pre>
 *
 * <p>An {@link EventRecorder} feeds its ledger by itself; a test may also call the {@code record*}
 * methods directly (for example from a handler, to count handler runs rather than acks).
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe and cheap: one concurrent map entry per event id, updated without locks.
 *
 * <h2>Lifecycle</h2>
 *
 * Holds everything until garbage-collected; make one per test.
 */
public final class DeliveryLedger {
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private DeliveryLedger() {}

  /** An empty ledger. */
  public static DeliveryLedger create() {
    return new DeliveryLedger();
  }

  /** Event {@code eventId} was handed to a publisher. */
  public void recordPublished(String eventId) {
    entry(eventId).published = true;
  }

  /** The broker took responsibility for event {@code eventId} (the publish completed). */
  public void recordConfirmed(String eventId) {
    entry(eventId).confirmed = true;
  }

  /** The publish of {@code eventId} failed; it may or may not have reached a queue. */
  public void recordPublishFailed(String eventId) {
    entry(eventId).failed = true;
  }

  /** Subscription {@code subscription} handled {@code eventId} (once more). */
  public void recordHandled(String subscription, String eventId) {
    count(entry(eventId).handled, subscription);
  }

  /** Subscription {@code subscription} parked {@code eventId} in its dead-letter queue. */
  public void recordDeadLettered(String subscription, String eventId) {
    count(entry(eventId).deadLettered, subscription);
  }

  /**
   * The account so far. An event counts as lost if it was confirmed and, for each of {@code
   * subscriptions} (or, when none are named, for at least one subscription), neither handled nor
   * parked.
   */
  public Report report(String... subscriptions) {
    Set<String> expected = Set.copyOf(Arrays.asList(subscriptions));
    int published = 0;
    int confirmed = 0;
    int failed = 0;
    int handled = 0;
    int deadLettered = 0;
    List<String> lost = new ArrayList<>();
    Map<String, Integer> duplicates = new TreeMap<>();
    for (Map.Entry<String, Entry> item : entries.entrySet()) {
      String id = item.getKey();
      Entry entry = item.getValue();
      published += entry.published ? 1 : 0;
      confirmed += entry.confirmed ? 1 : 0;
      failed += entry.failed ? 1 : 0;
      for (Map.Entry<String, AtomicInteger> count : entry.handled.entrySet()) {
        handled += count.getValue().get();
        if (count.getValue().get() > 1) {
          duplicates.put(id + "@" + count.getKey(), count.getValue().get() - 1);
        }
      }
      for (AtomicInteger count : entry.deadLettered.values()) {
        deadLettered += count.get();
      }
      if (entry.confirmed) {
        if (expected.isEmpty()) {
          if (entry.handled.isEmpty() && entry.deadLettered.isEmpty()) {
            lost.add(id);
          }
        } else {
          for (String subscription : expected) {
            if (!entry.handled.containsKey(subscription)
                && !entry.deadLettered.containsKey(subscription)) {
              lost.add(id + "@" + subscription);
            }
          }
        }
      }
    }
    lost.sort(null);
    return new Report(published, confirmed, failed, handled, deadLettered, lost, duplicates);
  }

  private Entry entry(String eventId) {
    return entries.computeIfAbsent(Objects.requireNonNull(eventId, "eventId"), id -> new Entry());
  }

  private static void count(Map<String, AtomicInteger> counts, String subscription) {
    counts
        .computeIfAbsent(
            Objects.requireNonNull(subscription, "subscription"), s -> new AtomicInteger())
        .incrementAndGet();
  }

  private static final class Entry {
    volatile boolean published;
    volatile boolean confirmed;
    volatile boolean failed;
    final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> deadLettered = new ConcurrentHashMap<>();
  }

  /**
   * A snapshot of the ledger.
   *
   * @param published events handed to a publisher
   * @param confirmed events whose publish completed
   * @param publishFailed events whose publish failed
   * @param handled handler runs that ended in an ack, duplicates included
   * @param deadLettered messages parked
   * @param lost confirmed events never handled nor parked, as {@code id} or {@code
   *     id@subscription}, sorted
   * @param duplicates {@code id@subscription} to how many extra times it was handled
   */
  public record Report(
      int published,
      int confirmed,
      int publishFailed,
      int handled,
      int deadLettered,
      List<String> lost,
      Map<String, Integer> duplicates) {
    /** Copies the collections. */
    public Report {
      lost = List.copyOf(lost);
      duplicates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(duplicates));
    }

    /** The total number of extra deliveries. */
    public int duplicateCount() {
      return duplicates.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public String toString() {
      return "published="
          + published
          + ", confirmed="
          + confirmed
          + ", publishFailed="
          + publishFailed
          + ", handled="
          + handled
          + ", deadLettered="
          + deadLettered
          + ", lost="
          + lost.size()
          + ", duplicates="
          + duplicateCount();
    }
  }
}
