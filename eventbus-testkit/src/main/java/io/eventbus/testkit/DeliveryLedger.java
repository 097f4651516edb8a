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
import org.jspecify.annotations.Nullable;

/**
 * A per-event-id account of what happened to every event of a test run: published (with its type),
 * confirmed (or failed), and per subscription how often it was handled and whether it was parked.
 * It states the bus's first promise as one check: every confirmed event was handled or parked by
 * the subscriptions that take its type, so {@link Report#lost()} is empty; and it counts the
 * duplicates that at-least-once delivery allows.
 *
 * <pre>{@code
 * DeliveryLedger ledger = recorder.ledger();          // fed by an EventRecorder's transports
 * // ... publish, cut connections, restart consumers ...
 * EventBusAssertions.assertThat(ledger).within(Duration.ofSeconds(10)).lostNothing("shipping");
 * EventBusAssertions.assertThat(ledger.ofType("order.placed.v1")).lostNothing();
 * }</pre>
 *
 * <h2>Scope</h2>
 *
 * An event is expected only where it can arrive: the ledger knows each event's type and each
 * recorded subscription's types (an {@link EventRecorder} records both), so a confirmed event of a
 * type that no recorded subscription takes (an event the service under test publishes for others)
 * is not lost, only {@linkplain Report#outOfScope() out of scope}; and {@code report("shipping")}
 * expects of {@code shipping} only the events of its types. {@link #ofType} narrows every figure to
 * some event types. Events or subscriptions recorded without types (the {@code record*} methods
 * without them) are expected everywhere, as before there were types.
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
  private final Map<String, Entry> entries;
  private final Map<String, Set<String>> subscriptions;
  private final @Nullable Set<String> types;

  private DeliveryLedger(
      Map<String, Entry> entries,
      Map<String, Set<String>> subscriptions,
      @Nullable Set<String> types) {
    this.entries = entries;
    this.subscriptions = subscriptions;
    this.types = types;
  }

  /** An empty ledger. */
  public static DeliveryLedger create() {
    return new DeliveryLedger(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), null);
  }

  /**
   * A view of this ledger that reports only events of {@code eventTypes} (type names such as {@code
   * order.placed.v1}); events recorded without a type are not among them. It shares the records:
   * what is recorded through either shows in both.
   */
  public DeliveryLedger ofType(String... eventTypes) {
    Set<String> narrowed = Set.copyOf(Arrays.asList(eventTypes));
    if (narrowed.isEmpty()) {
      throw new IllegalArgumentException("ofType needs at least one event type");
    }
    if (types != null) {
      narrowed = new java.util.HashSet<>(narrowed);
      narrowed.retainAll(types);
    }
    return new DeliveryLedger(entries, subscriptions, Set.copyOf(narrowed));
  }

  /** Event {@code eventId} was handed to a publisher; its type is not known. */
  public void recordPublished(String eventId) {
    entry(eventId).published = true;
  }

  /** Event {@code eventId} of type {@code eventType} was handed to a publisher. */
  public void recordPublished(String eventId, String eventType) {
    Entry entry = entry(eventId);
    entry.type = Objects.requireNonNull(eventType, "eventType");
    entry.published = true;
  }

  /**
   * Subscription {@code subscription} takes events of {@code eventTypes} (added to those recorded
   * before for the same name).
   */
  public void recordSubscribed(String subscription, Set<String> eventTypes) {
    Objects.requireNonNull(subscription, "subscription");
    Set<String> added = Set.copyOf(eventTypes);
    subscriptions.merge(
        subscription,
        added,
        (before, more) -> {
          Set<String> both = new java.util.HashSet<>(before);
          both.addAll(more);
          return Set.copyOf(both);
        });
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
   * The account so far, of the events in this ledger's {@link #ofType types}. A confirmed event
   * counts as lost if, for each of {@code subscriptions} that takes its type, it was neither
   * handled nor parked there; when none are named, if some recorded subscription takes its type and
   * it was neither handled nor parked anywhere. A confirmed event no recorded subscription takes is
   * {@link Report#outOfScope() out of scope}, not lost (see "Scope" above).
   */
  public Report report(String... subscriptions) {
    Set<String> expected = Set.copyOf(Arrays.asList(subscriptions));
    int published = 0;
    int confirmed = 0;
    int failed = 0;
    int handled = 0;
    int deadLettered = 0;
    int outOfScope = 0;
    List<String> lost = new ArrayList<>();
    Map<String, Integer> duplicates = new TreeMap<>();
    for (Map.Entry<String, Entry> item : entries.entrySet()) {
      String id = item.getKey();
      Entry entry = item.getValue();
      String type = entry.type;
      if (types != null && (type == null || !types.contains(type))) {
        continue;
      }
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
          if (!takenBySome(type)) {
            outOfScope++;
          } else if (entry.handled.isEmpty() && entry.deadLettered.isEmpty()) {
            lost.add(id);
          }
        } else {
          boolean taken = false;
          for (String subscription : expected) {
            if (!takes(subscription, type)) {
              continue;
            }
            taken = true;
            if (!entry.handled.containsKey(subscription)
                && !entry.deadLettered.containsKey(subscription)) {
              lost.add(id + "@" + subscription);
            }
          }
          outOfScope += taken ? 0 : 1;
        }
      }
    }
    lost.sort(null);
    return new Report(
        published, confirmed, failed, handled, deadLettered, outOfScope, lost, duplicates);
  }

  /** Whether {@code subscription} takes events of {@code type} (unknown on either side: yes). */
  private boolean takes(String subscription, @Nullable String type) {
    Set<String> taken = subscriptions.get(subscription);
    return type == null || taken == null || taken.contains(type);
  }

  /** Whether some recorded subscription takes {@code type} (none recorded, or unknown: yes). */
  private boolean takenBySome(@Nullable String type) {
    if (type == null || subscriptions.isEmpty()) {
      return true;
    }
    for (Set<String> taken : subscriptions.values()) {
      if (taken.contains(type)) {
        return true;
      }
    }
    return false;
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
    volatile @Nullable String type;
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
   * @param outOfScope confirmed events of types that no recorded subscription (of those asked
   *     about) takes, so expected nowhere
   * @param lost confirmed events never handled nor parked where expected, as {@code id} or {@code
   *     id@subscription}, sorted
   * @param duplicates {@code id@subscription} to how many extra times it was handled
   */
  public record Report(
      int published,
      int confirmed,
      int publishFailed,
      int handled,
      int deadLettered,
      int outOfScope,
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
          + ", outOfScope="
          + outOfScope
          + ", lost="
          + lost.size()
          + ", duplicates="
          + duplicateCount();
    }
  }
}
