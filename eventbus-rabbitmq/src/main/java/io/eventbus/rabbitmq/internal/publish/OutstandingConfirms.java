package io.eventbus.rabbitmq.internal.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the events sent on the publishing channel and not yet confirmed, by publish sequence
 * number, with an index by event id through which a {@code basic.return} finds its event.
 *
 * <h2>Storage</h2>
 *
 * A channel numbers its publishes 1, 2, 3… and the broker confirms them roughly in that order, so
 * the events live in a ring of slots indexed by sequence number, between the lowest sequence still
 * outstanding and the highest sent. Adding, confirming one and confirming many are array accesses
 * under one short lock, with no allocation per event (a skip list, used before, allocated index
 * nodes and walked its levels for each; it was a tenth of the sender's and most of the confirm
 * handler's time). The ring doubles when the span from the lowest outstanding to the newest no
 * longer fits, which the outstanding window makes rare: it takes an old event that the broker
 * leaves unconfirmed while it confirms thousands of later ones. Sequence numbers only grow between
 * two {@link #removeAll()} calls (a new channel starts from 1 again after its predecessor's events
 * were taken out).
 *
 * <h2>Returns</h2>
 *
 * The broker sends a publish's return before its confirm, so a returned event is still here.
 * Several outstanding events may share an id (a caller's chosen id, a re-sent copy); the return
 * belongs to the earliest of them with the same exchange and routing key that was not returned yet.
 * The index maps an id to its event, or to an array of them in sequence order.
 *
 * <p>The index is kept lazily, so that publishing pays nothing for it while nothing is returned
 * (the usual case): a return first takes into the index every event sent since the previous return,
 * then looks the id up. Each event is indexed at most once; removals take an event out of the index
 * only while it holds entries. An entry whose event was removed meanwhile is recognised by its
 * sequence number and dropped.
 *
 * <h2>Thread safety</h2>
 *
 * The sender adds; the connection's I/O thread confirms and marks returns; the sweep, the sender
 * (after a lost channel) and close remove. Every method may be called from any thread: everything
 * is guarded by this object's monitor, except the count, which is also readable without it.
 */
final class OutstandingConfirms {
  private static final int INITIAL_SLOTS = 256;

  private Publish[] slots = new Publish[INITIAL_SLOTS]; // guarded by this; length a power of two
  private long lowest = 1; // guarded by this: no outstanding event has a lower sequence number
  private long highest; // guarded by this: the highest sequence number added since the last reset
  private volatile int count; // written under this
  private final Map<String, Object> byEventId = new HashMap<>(); // guarded by this
  private long indexedUpTo; // guarded by this: the last sequence number taken into the index

  /**
   * Records {@code publish}, sent with sequence number {@code sequence}.
   *
   * @throws IllegalStateException if {@code sequence} is not above every one added since the last
   *     {@link #removeAll()} while events are outstanding (a channel's numbers only grow)
   */
  synchronized void add(long sequence, Publish publish) {
    if (count == 0) {
      lowest = sequence;
    } else if (sequence <= highest) {
      throw new IllegalStateException(
          "Publish sequence number " + sequence + " is not above " + highest);
    }
    if (sequence - lowest >= slots.length) {
      grow(sequence - lowest + 1);
    }
    publish.sequence = sequence;
    slots[slot(sequence)] = publish;
    highest = sequence;
    count++;
  }

  private int slot(long sequence) {
    return (int) sequence & (slots.length - 1);
  }

  /** Makes room for {@code span} consecutive sequence numbers from {@link #lowest}. */
  private void grow(long span) {
    if (span > 1 << 30) {
      throw new IllegalStateException("Too many sequence numbers outstanding: " + span);
    }
    Publish[] old = slots;
    Publish[] larger = new Publish[Integer.highestOneBit((int) span - 1) << 1];
    for (long sequence = lowest; sequence <= highest; sequence++) {
      Publish publish = old[(int) sequence & (old.length - 1)];
      if (publish != null) {
        larger[(int) sequence & (larger.length - 1)] = publish;
      }
    }
    slots = larger;
  }

  /** The event outstanding under {@code sequence}, or null. Under this object's monitor. */
  private @Nullable Publish at(long sequence) {
    if (sequence < lowest || sequence > highest || count == 0) {
      return null;
    }
    Publish publish = slots[slot(sequence)];
    return publish != null && publish.sequence == sequence ? publish : null;
  }

  /** Takes {@code publish}, outstanding under its sequence number, out. Under the monitor. */
  private void take(Publish publish) {
    slots[slot(publish.sequence)] = null;
    count--;
    if (!byEventId.isEmpty()) {
      unindex(publish);
    }
    if (count == 0) {
      lowest = highest + 1;
    } else {
      while (lowest <= highest && slots[slot(lowest)] == null) {
        lowest++;
      }
    }
  }

  /** How many events are outstanding. */
  int size() {
    return count;
  }

  /**
   * Marks the earliest outstanding, not yet returned event with this id, exchange and routing key
   * as returned with {@code reply}.
   *
   * @return whether one was found
   */
  synchronized boolean markReturned(
      @Nullable String eventId, String exchange, String routingKey, String reply) {
    for (long sequence = Math.max(indexedUpTo + 1, lowest); sequence <= highest; sequence++) {
      Publish publish = at(sequence);
      if (publish != null) {
        index(publish);
      }
    }
    indexedUpTo = Math.max(indexedUpTo, highest);
    if (byEventId.size() > 2 * count + 64) {
      byEventId.values().removeIf(entry -> prune(entry) == null);
    }
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
  synchronized List<Publish> remove(long tag, boolean multiple) {
    if (!multiple) {
      Publish publish = at(tag);
      if (publish == null) {
        return List.of();
      }
      take(publish);
      return List.of(publish);
    }
    long last = Math.min(tag, highest);
    if (count == 0 || last < lowest) {
      return List.of();
    }
    List<Publish> removed = new ArrayList<>((int) Math.min(count, last - lowest + 1));
    for (long sequence = lowest; sequence <= last; sequence++) {
      Publish publish = at(sequence);
      if (publish != null) {
        removed.add(publish);
      }
    }
    for (Publish publish : removed) {
      take(publish);
    }
    return removed;
  }

  /**
   * Removes every event, in sequence order: the channel is gone, and the next one numbers its
   * publishes from 1 again, so the index starts afresh too.
   */
  synchronized List<Publish> removeAll() {
    List<Publish> removed = new ArrayList<>(count);
    for (long sequence = lowest; count > 0 && sequence <= highest; sequence++) {
      Publish publish = at(sequence);
      if (publish != null) {
        slots[slot(sequence)] = null;
        count--;
        removed.add(publish);
      }
    }
    count = 0;
    lowest = 1;
    highest = 0;
    byEventId.clear();
    indexedUpTo = 0;
    return removed;
  }

  /**
   * Removes the events whose deadline has passed at {@code now}. Events expire roughly in sequence
   * order, so unless {@code full} this stops at the first live one; an event re-sent after a nack
   * sits behind younger ones, which only a full pass reaches.
   *
   * @return the removed events in sequence order
   */
  synchronized List<Publish> removeExpired(long now, boolean full) {
    List<Publish> expired = List.of();
    for (long sequence = lowest; count > 0 && sequence <= highest; sequence++) {
      Publish publish = at(sequence);
      if (publish == null) {
        continue;
      }
      if (!publish.expired(now)) {
        if (full) {
          continue;
        }
        break;
      }
      if (expired.isEmpty()) {
        expired = new ArrayList<>();
      }
      expired.add(publish);
    }
    for (Publish publish : expired) {
      take(publish);
    }
    return expired;
  }

  /** Takes {@code publish} out of the index by id. Under the monitor. */
  private void unindex(Publish publish) {
    Object entry = byEventId.get(publish.eventId);
    if (entry != null) {
      Object rest = without(entry, publish);
      if (rest == null) {
        byEventId.remove(publish.eventId);
      } else if (rest != entry) {
        byEventId.put(publish.eventId, rest);
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
    return at(publish.sequence) == publish;
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
