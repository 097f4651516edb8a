package io.eventbus.inmemory;

import io.eventbus.Health;
import io.eventbus.RequestException;
import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-reply in memory, with the semantics of the RabbitMQ transport: a direct "request
 * exchange" routes a request by its type to the request queue of every responder subscription bound
 * to it; a request no queue is bound for fails at once with {@link
 * RequestException.Reason#NO_RESPONDER}; a request queue exists while it has consumers (as an
 * auto-delete queue), and its requests are dropped with it; a request expires in its queue at its
 * timeout; the first reply completes the request, later ones are dropped.
 *
 * <p>One lock guards the queues and bindings, shared by every transport of one family.
 */
final class InMemoryRequests {
  private static final Logger log = LoggerFactory.getLogger(InMemoryRequests.class);

  /** A request waiting in a queue or being answered. */
  private static final class Pending {
    final WireMessage message;
    final CompletableFuture<WireMessage> reply;
    final long expiresNanos;

    Pending(WireMessage message, CompletableFuture<WireMessage> reply, long expiresNanos) {
      this.message = message;
      this.reply = reply;
      this.expiresNanos = expiresNanos;
    }
  }

  private record Delivery(Pending pending, boolean redelivered) {}

  private static final class Queue {
    final String name;
    final Set<String> types = new LinkedHashSet<>();
    final ArrayDeque<Delivery> ready = new ArrayDeque<>();
    int consumers;

    Queue(String name) {
      this.name = name;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Set<Queue>> bindings = new HashMap<>();
  private final Map<String, Queue> queues = new LinkedHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "eventbus-inmemory-requests");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * Routes a copy of {@code request} to every queue bound to its type and completes with the first
   * reply; {@code owner} collects what the requesting transport must fail when it closes.
   */
  CompletionStage<WireMessage> request(
      OutboundMessage request,
      Duration timeout,
      Map<CompletableFuture<WireMessage>, OutboundMessage> owner) {
    WireMessage original = request.message();
    WireMessage copy =
        new WireMessage(original.body().clone(), original.contentType(), original.headers());
    CompletableFuture<WireMessage> reply = new CompletableFuture<>();
    Pending pending = new Pending(copy, reply, System.nanoTime() + timeout.toNanos());
    lock.lock();
    try {
      Set<Queue> bound = bindings.getOrDefault(request.eventType(), Set.of());
      if (bound.isEmpty()) {
        return CompletableFuture.failedFuture(
            RequestException.noResponder(request.eventId(), request.eventType()));
      }
      for (Queue queue : bound) {
        queue.ready.addLast(new Delivery(pending, false));
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    owner.put(reply, request);
    var timeoutTask =
        timer.schedule(
            () ->
                reply.completeExceptionally(
                    RequestException.deadlineExceeded(
                        request.eventId(), request.eventType(), timeout)),
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    reply.whenComplete(
        (value, failure) -> {
          timeoutTask.cancel(false);
          owner.remove(reply);
        });
    return reply;
  }

  /** Declares {@code spec}'s request queue and bindings and starts its workers. */
  TransportSubscription respond(
      SubscriptionSpec spec, Consumer<InboundMessage> receiver, Duration shutdownTimeout) {
    Queue queue;
    lock.lock();
    try {
      queue = queues.computeIfAbsent(spec.name(), Queue::new);
      for (String type : spec.eventTypes()) {
        queue.types.add(type);
        bindings.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(queue);
      }
      queue.consumers += spec.concurrency();
    } finally {
      lock.unlock();
    }
    Responders responders = new Responders(queue, spec, receiver, shutdownTimeout);
    responders.start();
    return responders;
  }

  /** The next live request of {@code queue}, waiting for one; null once {@code stopped}. */
  private @Nullable Delivery take(Queue queue, AtomicBoolean stopped) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (stopped.get()) {
          return null;
        }
        Delivery next = queue.ready.pollFirst();
        if (next == null) {
          changed.await();
        } else if (next.pending().reply.isDone()
            || System.nanoTime() - next.pending().expiresNanos >= 0) {
          log.debug("Request in {} expired in its queue; dropped", queue.name);
        } else {
          return next;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void requeue(Queue queue, Delivery delivery) {
    lock.lock();
    try {
      queue.ready.addFirst(new Delivery(delivery.pending(), true));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One consumer fewer; the last one takes the queue, its bindings and its requests with it. */
  private void consumerStopped(Queue queue) {
    lock.lock();
    try {
      queue.consumers--;
      if (queue.consumers == 0 && queues.get(queue.name) == queue) {
        queues.remove(queue.name);
        for (String type : queue.types) {
          Set<Queue> bound = bindings.get(type);
          if (bound != null) {
            bound.remove(queue);
            if (bound.isEmpty()) {
              bindings.remove(type);
            }
          }
        }
        queue.ready.clear();
      }
    } finally {
      lock.unlock();
    }
  }

  private void wakeAll() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One responder subscription: its worker threads on its queue. */
  private final class Responders implements TransportSubscription {
    private final Queue queue;
    private final SubscriptionSpec spec;
    private final Consumer<InboundMessage> receiver;
    private final Duration shutdownTimeout;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    Responders(
        Queue queue,
        SubscriptionSpec spec,
        Consumer<InboundMessage> receiver,
        Duration shutdownTimeout) {
      this.queue = queue;
      this.spec = spec;
      this.receiver = receiver;
      this.shutdownTimeout = shutdownTimeout;
    }

    void start() {
      for (int i = 0; i < spec.concurrency(); i++) {
        Thread worker =
            new Thread(this::work, "eventbus-inmemory-responder-" + spec.name() + "-" + (i + 1));
        worker.setDaemon(true);
        workers.add(worker);
      }
      workers.forEach(Thread::start);
    }

    private void work() {
      try {
        while (true) {
          Delivery delivery = take(queue, closed);
          if (delivery == null) {
            return;
          }
          Request inbound = new Request(delivery);
          try {
            receiver.accept(inbound);
          } catch (VirtualMachineError e) {
            throw e;
          } catch (Throwable e) {
            log.error("Responders {} failed to settle a request; requeueing it", spec.name(), e);
          } finally {
            if (!inbound.settled.get()) {
              inbound.requeue();
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        consumerStopped(queue);
      }
    }

    @Override
    public Health.Component health() {
      int alive = 0;
      for (Thread worker : workers) {
        alive += worker.isAlive() ? 1 : 0;
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("consumers", workers.size());
      details.put("activeConsumers", alive);
      if (closed.get()) {
        return new Health.Component("subscription", Health.Status.DOWN, "closed", details);
      }
      if (alive < workers.size()) {
        return new Health.Component(
            "subscription",
            Health.Status.DOWN,
            alive + " of " + workers.size() + " responders running",
            details);
      }
      return new Health.Component("subscription", Health.Status.UP, "", details);
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      wakeAll();
      long until = System.nanoTime() + shutdownTimeout.toNanos();
      for (Thread worker : workers) {
        long left = until - System.nanoTime();
        if (left > 0 && worker != Thread.currentThread()) {
          try {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    /** One delivered request; the first settlement wins. */
    private final class Request implements InboundMessage {
      private final Delivery delivery;
      private final AtomicBoolean settled = new AtomicBoolean();

      Request(Delivery delivery) {
        this.delivery = delivery;
      }

      @Override
      public WireMessage message() {
        return delivery.pending().message;
      }

      @Override
      public boolean redelivered() {
        return delivery.redelivered();
      }

      @Override
      public void ack() {
        settled.set(true);
      }

      @Override
      public void requeue() {
        if (settled.compareAndSet(false, true)) {
          InMemoryRequests.this.requeue(queue, delivery);
        }
      }

      @Override
      public void deadLetter(DeadLetterReason reason) {
        throw new UnsupportedOperationException("A request is answered, never dead-lettered");
      }

      @Override
      public void redeliverAfter(Duration delay, Map<String, String> headers) {
        throw new UnsupportedOperationException("A request is answered, never redelivered");
      }

      @Override
      public void reply(WireMessage reply) {
        delivery
            .pending()
            .reply
            .complete(new WireMessage(reply.body().clone(), reply.contentType(), reply.headers()));
      }
    }
  }
}
