package io.eventbus.rabbitmq.internal.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the events sent on the publishing channel and not yet confirmed, by publish sequence
 * number, with an index by event id through which a {@code basic.return} finds its event.
 *
 * <h2>Returns</h2>
 *
 * The broker sends a publish's return before its confirm, so a returned event is still here.
 * Several outstanding events may share an id (a caller's chosen id, a re-sent copy); the return
 * belongs to the earliest of them with the same exchange and routing key that was not returned yet.
 * The index maps an id to its event, or to an array of them in sequence order.
 *
 * <p>The index is kept lazily, so that publishing pays nothing for it while nothing is returned
 * (the usual case): a return first takes into the index every event sent since the previous return
 * (sequence numbers only grow on a channel), then looks the id up. Each event is indexed at most
 * once; removals take an event out of the index only while it holds entries. An entry whose event
 * was removed meanwhile by another thread is recognised by its sequence number and dropped.
 *
 * <h2>Thread safety</h2>
 *
 * The sender adds; the connection's I/O thread confirms and marks returns; the sweep, the sender
 * (after a lost channel) and close remove. Every method may be called from any thread; the index is
 * guarded by this object's monitor, the sequence map is concurrent.
 */
final class OutstandingConfirms {
  private final ConcurrentSkipListMap<Long, Publish> bySequence = new ConcurrentSkipListMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final Map<String, Object> byEventId = new HashMap<>(); // guarded by this
  private long indexedUpTo; // guarded by this: the last sequence number taken into the index
  private volatile boolean indexed; // whether byEventId holds entries

  /** Records {@code publish}, sent with sequence number {@code sequence}. */
  void add(long sequence, Publish publish) {
    publish.sequence = sequence;
    bySequence.put(sequence, publish);
    count.incrementAndGet();
  }

  /** How many events are outstanding. */
  int size() {
    return count.get();
  }

  /**
   * Marks the earliest outstanding, not yet returned event with this id, exchange and routing key
   * as returned with {@code reply}.
   *
   * @return whether one was found
   */
  synchronized boolean markReturned(
      @Nullable String eventId, String exchange, String routingKey, String reply) {
    for (Map.Entry<Long, Publish> sent : bySequence.tailMap(indexedUpTo, false).entrySet()) {
      index(sent.getValue());
      indexedUpTo = sent.getKey();
    }
    if (byEventId.size() > 2 * count.get() + 64) {
      byEventId.values().removeIf(entry -> prune(entry) == null);
    }
    indexed = !byEventId.isEmpty();
    if (eventId == null) {
      return false;
    }
    Object entry = byEventId.get(eventId);
    if (entry == null) {
      return false;
    }
    Object live = prune(entry);
    if (live == null) {
      byEventId.remove(eventId);
      indexed = !byEventId.isEmpty();
      return false;
    }
    if (live != entry) {
      byEventId.put(eventId, live);
    }
    if (live instanceof Publish publish) {
      return mark(publish, exchange, routingKey, reply);
    }
    for (Publish publish : (Publish[]) live) {
      if (mark(publish, exchange, routingKey, reply)) {
        return true;
      }
    }
    return false;
  }

  private static boolean mark(Publish publish, String exchange, String routingKey, String reply) {
    if (publish.returnedWith == null
        && publish.exchange.equals(exchange)
        && publish.routingKey.equals(routingKey)) {
      publish.returnedWith = reply;
      return true;
    }
    return false;
  }

  /**
   * Removes the event confirmed by {@code tag}, or with {@code multiple} every event up to and
   * including it.
   *
   * @return the removed events in sequence order
   */
  List<Publish> remove(long tag, boolean multiple) {
    if (!multiple) {
      Publish publish = bySequence.remove(tag);
      if (publish == null) {
        return List.of();
      }
      removed(publish);
      return List.of(publish);
    }
    List<Publish> removed = new ArrayList<>();
    for (Map.Entry<Long, Publish> entry = bySequence.firstEntry();
        entry != null && entry.getKey() <= tag;
        entry = bySequence.higherEntry(entry.getKey())) {
      if (bySequence.remove(entry.getKey(), entry.getValue())) {
        removed(entry.getValue());
        removed.add(entry.getValue());
      }
    }
    return removed;
  }

  /**
   * Removes every event, in sequence order: the channel is gone, and the next one numbers its
   * publishes from 1 again, so the index starts afresh too.
   */
  List<Publish> removeAll() {
    List<Publish> removed = new ArrayList<>();
    for (Map.Entry<Long, Publish> entry = bySequence.pollFirstEntry();
        entry != null;
        entry = bySequence.pollFirstEntry()) {
      count.decrementAndGet();
      removed.add(entry.getValue());
    }
    synchronized (this) {
      byEventId.clear();
      indexedUpTo = 0;
      indexed = false;
    }
    return removed;
  }

  /**
   * Removes the events whose deadline has passed at {@code now}. Events expire roughly in sequence
   * order, so unless {@code full} this stops at the first live one; an event re-sent after a nack
   * sits behind younger ones, which only a full pass reaches.
   *
   * @return the removed events in sequence order
   */
  List<Publish> removeExpired(long now, boolean full) {
    List<Publish> expired = List.of();
    for (Map.Entry<Long, Publish> entry : bySequence.entrySet()) {
      Publish publish = entry.getValue();
      if (!publish.expired(now)) {
        if (full) {
          continue;
        }
        break;
      }
      if (bySequence.remove(entry.getKey(), publish)) {
        removed(publish);
        if (expired.isEmpty()) {
          expired = new ArrayList<>();
        }
        expired.add(publish);
      }
    }
    return expired;
  }

  private void removed(Publish publish) {
    count.decrementAndGet();
    if (indexed) {
      synchronized (this) {
        Object entry = byEventId.get(publish.eventId);
        if (entry != null) {
          Object rest = without(entry, publish);
          if (rest == null) {
            byEventId.remove(publish.eventId);
            indexed = !byEventId.isEmpty();
          } else if (rest != entry) {
            byEventId.put(publish.eventId, rest);
          }
        }
      }
    }
  }

  /** Adds {@code publish} to the index (once), keeping each id's events in sequence order. */
  private void index(Publish publish) {
    Object entry = byEventId.get(publish.eventId);
    if (entry == null) {
      byEventId.put(publish.eventId, publish);
    } else if (entry instanceof Publish single) {
      if (single != publish) {
        byEventId.put(
            publish.eventId,
            single.sequence < publish.sequence
                ? new Publish[] {single, publish}
                : new Publish[] {publish, single});
      }
    } else {
      Publish[] publishes = (Publish[]) entry;
      for (Publish indexed : publishes) {
        if (indexed == publish) {
          return;
        }
      }
      Publish[] longer = Arrays.copyOf(publishes, publishes.length + 1);
      longer[publishes.length] = publish;
      Arrays.sort(longer, (a, b) -> Long.compare(a.sequence, b.sequence));
      byEventId.put(publish.eventId, longer);
    }
  }

  /** Whether {@code publish} is still outstanding under the sequence number it was indexed with. */
  private boolean outstanding(Publish publish) {
    return bySequence.get(publish.sequence) == publish;
  }

  /** {@code entry} without the events no longer outstanding; null when none is left. */
  private @Nullable Object prune(Object entry) {
    if (entry instanceof Publish publish) {
      return outstanding(publish) ? publish : null;
    }
    Publish[] publishes = (Publish[]) entry;
    List<Publish> live = new ArrayList<>(publishes.length);
    for (Publish publish : publishes) {
      if (outstanding(publish)) {
        live.add(publish);
      }
    }
    if (live.size() == publishes.length) {
      return entry;
    }
    return live.isEmpty() ? null : live.size() == 1 ? live.get(0) : live.toArray(Publish[]::new);
  }

  /** {@code entry} without {@code publish}; null (no entry) when nothing is left. */
  private static @Nullable Object without(Object entry, Publish publish) {
    if (!(entry instanceof Publish[] publishes)) {
      return entry == publish ? null : entry;
    }
    int at = -1;
    for (int i = 0; i < publishes.length; i++) {
      if (publishes[i] == publish) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return entry;
    }
    if (publishes.length == 2) {
      return publishes[1 - at];
    }
    Publish[] shorter = new Publish[publishes.length - 1];
    System.arraycopy(publishes, 0, shorter, 0, at);
    System.arraycopy(publishes, at + 1, shorter, at, publishes.length - at - 1);
    return shorter;
  }

  /** How many ids the index holds; for tests. */
  synchronized int indexedIds() {
    return byEventId.size();
  }
}
