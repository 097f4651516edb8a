package io.eventbus.testkit;

import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The state an in-memory "broker" holds, shared by every {@link InMemoryTransport} of one family: a
 * topic-like exchange (bindings from type names to queues), the queues and the dead letters.
 *
 * <p>One lock guards everything and one condition signals every change. In-memory tests have a
 * handful of threads, so the simplicity is worth more than finer locking, and it makes {@link
 * #awaitIdle} exact.
 */
final class InMemoryBroker {
  /** A message in a queue, as the broker would redeliver it. */
  record Envelope(WireMessage message, String routingKey, boolean redelivered) {}

  /** One queue: ready messages (head first) and how many are delivered but not settled. */
  static final class Queue {
    final String name;
    final ArrayDeque<Envelope> ready = new ArrayDeque<>();
    int unsettled;
    int consumers;

    Queue(String name) {
      this.name = name;
    }
  }

  final String exchange;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Set<String>> bindings = new HashMap<>();
  private final Map<String, Queue> queues = new LinkedHashMap<>();
  private final Map<String, List<DeadLetter>> deadLetters = new HashMap<>();

  InMemoryBroker(String exchange) {
    this.exchange = exchange;
  }

  /** Declares the subscription's queue (if new) and binds its types; returns the queue. */
  Queue declare(SubscriptionSpec spec) {
    lock.lock();
    try {
      Queue queue = queues.computeIfAbsent(spec.name(), Queue::new);
      for (String type : spec.eventTypes()) {
        bindings.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(spec.name());
      }
      return queue;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts a copy of {@code message} in every queue bound to {@code routingKey}; returns how many.
   */
  int route(String routingKey, WireMessage message) {
    lock.lock();
    try {
      Set<String> bound = bindings.getOrDefault(routingKey, Set.of());
      for (String name : bound) {
        queues.get(name).ready.addLast(new Envelope(message, routingKey, false));
      }
      if (!bound.isEmpty()) {
        changed.signalAll();
      }
      return bound.size();
    } finally {
      lock.unlock();
    }
  }

  void consumerStarted(Queue queue) {
    lock.lock();
    try {
      queue.consumers++;
    } finally {
      lock.unlock();
    }
  }

  void consumerStopped(Queue queue) {
    lock.lock();
    try {
      queue.consumers--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message of {@code queue}, waiting until there is one; null once {@code stopped} holds.
   */
  Envelope take(Queue queue, BooleanSupplier stopped) throws InterruptedException {
    lock.lock();
    try {
      while (!stopped.getAsBoolean() && queue.ready.isEmpty()) {
        changed.await();
      }
      if (stopped.getAsBoolean()) {
        return null;
      }
      queue.unsettled++;
      return queue.ready.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  void ack(Queue queue) {
    lock.lock();
    try {
      queue.unsettled--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Returns a delivered message to the head of its queue, marked as redelivered. */
  void requeue(Queue queue, Envelope envelope) {
    lock.lock();
    try {
      queue.ready.addFirst(new Envelope(envelope.message(), envelope.routingKey(), true));
      queue.unsettled--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stores a copy with the reason headers in the queue's dead letters, then acks the original. */
  void deadLetter(Queue queue, Envelope envelope, DeadLetterReason reason) {
    Map<String, String> headers = new LinkedHashMap<>(envelope.message().headers());
    headers.putAll(reason.toHeaders());
    headers.put(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, exchange);
    headers.put(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.routingKey());
    WireMessage parked =
        new WireMessage(envelope.message().body(), envelope.message().contentType(), headers);
    lock.lock();
    try {
      deadLetters
          .computeIfAbsent(queue.name, q -> new ArrayList<>())
          .add(new DeadLetter(queue.name, parked));
      queue.unsettled--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  List<DeadLetter> deadLetters(String queue) {
    lock.lock();
    try {
      return List.copyOf(deadLetters.getOrDefault(queue, List.of()));
    } finally {
      lock.unlock();
    }
  }

  int ready(String queue) {
    lock.lock();
    try {
      Queue found = queues.get(queue);
      return found == null ? 0 : found.ready.size();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting consumer, so that stopped ones notice. */
  void wakeAll() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no message is being handled and every queue that has a consumer is empty.
   *
   * @return an empty string when idle, otherwise a description of what is still busy
   */
  String awaitIdle(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        String busy = busy();
        if (busy.isEmpty() || remaining <= 0) {
          return busy;
        }
        remaining = changed.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  private String busy() {
    StringBuilder busy = new StringBuilder();
    for (Queue queue : queues.values()) {
      int waiting = queue.consumers > 0 ? queue.ready.size() : 0;
      if (waiting > 0 || queue.unsettled > 0) {
        busy.append(busy.length() == 0 ? "" : ", ")
            .append(queue.name)
            .append(": ")
            .append(waiting)
            .append(" ready, ")
            .append(queue.unsettled)
            .append(" in flight");
      }
    }
    return busy.toString();
  }
}
