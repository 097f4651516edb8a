package io.eventbus.inmemory;

import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.Partitions;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

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

  /**
   * One queue: ready messages (head first), how many are delivered but not settled, how many wait
   * for a delayed redelivery, and, for a single-active-consumer queue, which consumer is active.
   */
  static final class Queue {
    final String name;
    final String deadLetterName;
    final boolean singleActive;
    final ArrayDeque<Envelope> ready = new ArrayDeque<>();
    int unsettled;
    int delayed;
    int consumers;
    @Nullable Object activeConsumer;
    long readySinceNanos; // 0 while no message is ready

    /** Keeps {@link #readySinceNanos} in step with {@link #ready}; called under the lock. */
    void readyChanged() {
      if (ready.isEmpty()) {
        readySinceNanos = 0;
      } else if (readySinceNanos == 0) {
        readySinceNanos = System.nanoTime();
      }
    }

    Queue(String name, String deadLetterName, boolean singleActive) {
      this.name = name;
      this.deadLetterName = deadLetterName;
      this.singleActive = singleActive;
    }
  }

  /** A queue's state for a health report: ready messages, since when, and its active consumer. */
  record QueueView(int ready, long readySinceNanos, @Nullable Object activeConsumer) {}

  QueueView view(Queue queue) {
    lock.lock();
    try {
      return new QueueView(queue.ready.size(), queue.readySinceNanos, queue.activeConsumer);
    } finally {
      lock.unlock();
    }
  }

  /** Where a subscription's messages go: one queue, or one per partition. */
  private record Target(List<Queue> queues, boolean partitioned) {}

  final String exchange;
  private final int partitions;
  private final ScheduledExecutorService timer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Set<String>> bindings = new HashMap<>();
  private final Map<String, Queue> queues = new LinkedHashMap<>();
  private final Map<String, Target> targets = new HashMap<>();
  private final Map<String, List<DeadLetter>> deadLetters = new HashMap<>();

  InMemoryBroker(String exchange, int partitions) {
    this.exchange = exchange;
    this.partitions = partitions;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "eventbus-inmemory-redelivery");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Declares the subscription's queues (if new) and binds its types; returns the queues to consume:
   * one ({@code ORDERED}: with a single active consumer), or one per partition ({@code
   * PARTITIONED}: {@code <name>.p<k>}, each with a single active consumer).
   */
  List<Queue> declare(SubscriptionSpec spec) {
    lock.lock();
    try {
      Target target =
          targets.computeIfAbsent(
              spec.name(),
              name -> {
                String deadLetters = name;
                if (spec.ordering() == Ordering.PARTITIONED) {
                  List<Queue> lanes = new ArrayList<>();
                  for (int k = 0; k < partitions; k++) {
                    Queue lane = new Queue(name + ".p" + k, deadLetters, true);
                    queues.put(lane.name, lane);
                    lanes.add(lane);
                  }
                  return new Target(lanes, true);
                }
                Queue queue = new Queue(name, deadLetters, spec.ordering() == Ordering.ORDERED);
                queues.put(name, queue);
                return new Target(List.of(queue), false);
              });
      for (String type : spec.eventTypes()) {
        bindings.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(spec.name());
      }
      return target.queues();
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
        Queue queue = queueFor(targets.get(name), message);
        queue.ready.addLast(new Envelope(message, routingKey, false));
        queue.readyChanged();
      }
      if (!bound.isEmpty()) {
        changed.signalAll();
      }
      return bound.size();
    } finally {
      lock.unlock();
    }
  }

  /** A partitioned target's lane: the key's partition by the wire format's {@link Partitions}. */
  private Queue queueFor(Target target, WireMessage message) {
    if (!target.partitioned()) {
      return target.queues().get(0);
    }
    String key = message.headers().get(CloudEventsAttributes.PREFIX + "partitionkey");
    int lane = key == null ? 0 : Partitions.of(key, partitions);
    return target.queues().get(lane);
  }

  void consumerStarted(Queue queue) {
    lock.lock();
    try {
      queue.consumers++;
    } finally {
      lock.unlock();
    }
  }

  void consumerStopped(Queue queue, Object consumer) {
    lock.lock();
    try {
      queue.consumers--;
      if (queue.activeConsumer == consumer) {
        queue.activeConsumer = null;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message of {@code queue}, waiting until there is one and {@code paused} does not hold;
   * null once {@code stopped} holds. A paused consumer keeps its place as the active consumer of a
   * single-active-consumer queue.
   */
  @Nullable Envelope take(
      Queue queue, Object consumer, BooleanSupplier stopped, BooleanSupplier paused)
      throws InterruptedException {
    lock.lock();
    try {
      while (!stopped.getAsBoolean()
          && (paused.getAsBoolean() || queue.ready.isEmpty() || !mayTake(queue, consumer))) {
        changed.await();
      }
      if (stopped.getAsBoolean()) {
        return null;
      }
      queue.unsettled++;
      Envelope next = queue.ready.pollFirst();
      queue.readyChanged();
      return next;
    } finally {
      lock.unlock();
    }
  }

  /** On a single-active-consumer queue only the first consumer to arrive takes, until it stops. */
  private static boolean mayTake(Queue queue, Object consumer) {
    if (!queue.singleActive) {
      return true;
    }
    if (queue.activeConsumer == null) {
      queue.activeConsumer = consumer;
    }
    return queue.activeConsumer == consumer;
  }

  /**
   * Acks the delivery and, after {@code delay}, puts a copy with {@code headers} merged in at the
   * tail of its queue, as a retry queue with a TTL dead-lettering back would.
   */
  void redeliverAfter(Queue queue, Envelope envelope, Duration delay, Map<String, String> headers) {
    Map<String, String> merged = new LinkedHashMap<>(envelope.message().headers());
    merged.putAll(headers);
    merged.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, exchange);
    merged.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.routingKey());
    Envelope copy =
        new Envelope(
            new WireMessage(envelope.message().body(), envelope.message().contentType(), merged),
            envelope.routingKey(),
            false);
    lock.lock();
    try {
      queue.unsettled--;
      queue.delayed++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    timer.schedule(
        () -> {
          lock.lock();
          try {
            queue.delayed--;
            queue.ready.addLast(copy);
            queue.readyChanged();
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Acks the delivery and puts a copy with {@code headers} merged in at the tail of its queue, not
   * marked as redelivered: a deferred message, as RabbitMQ's transport re-publishes it.
   */
  void defer(Queue queue, Envelope envelope, Map<String, String> headers) {
    Map<String, String> merged = new LinkedHashMap<>(envelope.message().headers());
    merged.putAll(headers);
    Envelope copy =
        new Envelope(
            new WireMessage(envelope.message().body(), envelope.message().contentType(), merged),
            envelope.routingKey(),
            false);
    lock.lock();
    try {
      queue.unsettled--;
      queue.ready.addLast(copy);
      queue.readyChanged();
      changed.signalAll();
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
      queue.readyChanged();
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
    headers.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_EXCHANGE, exchange);
    headers.putIfAbsent(DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY, envelope.routingKey());
    headers.put(DeadLetterReason.HEADER_QUEUE, queue.name);
    WireMessage parked =
        new WireMessage(envelope.message().body(), envelope.message().contentType(), headers);
    lock.lock();
    try {
      deadLetters
          .computeIfAbsent(queue.deadLetterName, q -> new ArrayList<>())
          .add(new DeadLetter(queue.deadLetterName, parked));
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

  /** Ready messages of the subscription's queue, or of all its partition queues. */
  int ready(String subscription) {
    lock.lock();
    try {
      Target target = targets.get(subscription);
      return target == null
          ? 0
          : target.queues().stream().mapToInt(queue -> queue.ready.size()).sum();
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
      if (waiting > 0 || queue.unsettled > 0 || queue.delayed > 0) {
        busy.append(busy.length() == 0 ? "" : ", ")
            .append(queue.name)
            .append(": ")
            .append(waiting)
            .append(" ready, ")
            .append(queue.unsettled)
            .append(" in flight, ")
            .append(queue.delayed)
            .append(" awaiting redelivery");
      }
    }
    return busy.toString();
  }
}
