package io.eventbus.rabbitmq.internal.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the events sent on the publishing channel and not yet confirmed, by publish sequence
 * number, with an index by event id through which a {@code basic.return} finds its event.
 *
 * <p>The broker sends a publish's return before its confirm, so a returned event is always still
 * here; several outstanding events may share an id (a caller's chosen id, a re-sent copy), and the
 * return belongs to the earliest of them with the same exchange and routing key that was not
 * returned yet. The index holds one event per id, or an array of them in sequence order when ids
 * are shared, so that the common case costs one map entry per event and matching never scans.
 *
 * <p>Thread safety: the sender adds; the connection's I/O thread confirms and marks returns; the
 * sweep and close remove. Every method may be called from any thread.
 */
final class OutstandingConfirms {
  private final ConcurrentSkipListMap<Long, Publish> bySequence = new ConcurrentSkipListMap<>();
  private final ConcurrentHashMap<String, Object> byEventId = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();

  /** Records {@code publish}, sent with sequence number {@code sequence}. */
  void add(long sequence, Publish publish) {
    byEventId.merge(publish.eventId, publish, OutstandingConfirms::appended);
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
  boolean markReturned(@Nullable String eventId, String exchange, String routingKey, String reply) {
    if (eventId == null) {
      return false;
    }
    Object entry = byEventId.get(eventId);
    if (entry instanceof Publish publish) {
      return mark(publish, exchange, routingKey, reply);
    }
    if (entry instanceof Publish[] publishes) {
      for (Publish publish : publishes) {
        if (mark(publish, exchange, routingKey, reply)) {
          return true;
        }
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

  /** Removes every event, in sequence order. */
  List<Publish> removeAll() {
    List<Publish> removed = new ArrayList<>();
    for (Map.Entry<Long, Publish> entry = bySequence.pollFirstEntry();
        entry != null;
        entry = bySequence.pollFirstEntry()) {
      removed(entry.getValue());
      removed.add(entry.getValue());
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
    if (!byEventId.remove(publish.eventId, publish)) {
      byEventId.computeIfPresent(publish.eventId, (id, entry) -> without(entry, publish));
    }
  }

  /** {@code entry} (one event or several) with {@code publish} added last. */
  private static Object appended(Object entry, Object publish) {
    if (entry instanceof Publish[] publishes) {
      Publish[] longer = Arrays.copyOf(publishes, publishes.length + 1);
      longer[publishes.length] = (Publish) publish;
      return longer;
    }
    return new Publish[] {(Publish) entry, (Publish) publish};
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
}
