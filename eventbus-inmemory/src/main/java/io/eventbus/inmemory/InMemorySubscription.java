package io.eventbus.inmemory;

import io.eventbus.Health;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads taking from the subscription's queues: {@code concurrency} workers on its one
 * queue, or one worker per partition queue when partitioned. Workers of every subscription with the
 * same name take from the same queues: competing consumers; on an ordered or partition queue only
 * the first worker to arrive takes, until it stops (single active consumer). A paused
 * subscription's workers take nothing until it resumes; each keeps its place as an active consumer.
 */
final class InMemorySubscription implements TransportSubscription {
  private static final Logger log = LoggerFactory.getLogger(InMemorySubscription.class);

  private final InMemoryBroker broker;
  private final List<InMemoryBroker.Queue> queues;
  private final SubscriptionSpec spec;
  private final Consumer<InboundMessage> receiver;
  private final Duration shutdownTimeout;
  private final List<Thread> workers = new ArrayList<>();
  private final List<Worker> lanes = new ArrayList<>();
  private volatile boolean closed;
  private volatile boolean paused;

  /** One worker's queue, identity as a consumer, and when it last took or settled a message. */
  private static final class Worker {
    final InMemoryBroker.Queue queue;
    volatile long lastProgressNanos = System.nanoTime();
    volatile boolean running = true;

    Worker(InMemoryBroker.Queue queue) {
      this.queue = queue;
    }
  }

  InMemorySubscription(
      InMemoryBroker broker,
      SubscriptionSpec spec,
      Consumer<InboundMessage> receiver,
      Duration shutdownTimeout) {
    this.broker = broker;
    this.queues = broker.declare(spec);
    this.spec = spec;
    this.receiver = receiver;
    this.shutdownTimeout = shutdownTimeout;
  }

  void start(int serial) {
    List<InMemoryBroker.Queue> lanes = new ArrayList<>();
    if (queues.size() == 1) {
      for (int i = 0; i < spec.concurrency(); i++) {
        lanes.add(queues.get(0));
      }
    } else {
      lanes.addAll(queues);
    }
    for (int i = 0; i < lanes.size(); i++) {
      InMemoryBroker.Queue queue = lanes.get(i);
      Worker lane = new Worker(queue);
      this.lanes.add(lane);
      Thread worker =
          new Thread(
              () -> work(lane), "eventbus-inmemory-" + spec.name() + "-" + serial + "-" + (i + 1));
      worker.setDaemon(true);
      workers.add(worker);
      broker.consumerStarted(queue);
    }
    workers.forEach(Thread::start);
  }

  private void work(Worker lane) {
    InMemoryBroker.Queue queue = lane.queue;
    Object consumer = lane;
    try {
      while (true) {
        InMemoryBroker.Envelope envelope = broker.take(queue, consumer, () -> closed, () -> paused);
        if (envelope == null) {
          return;
        }
        lane.lastProgressNanos = System.nanoTime();
        InMemoryInbound inbound =
            new InMemoryInbound(broker, queue, envelope, spec.redeliveryDelays());
        try {
          receiver.accept(inbound);
        } catch (VirtualMachineError e) {
          throw e;
        } catch (Throwable e) {
          log.error("Subscription {} failed to settle a delivery; requeueing it", spec.name(), e);
        } finally {
          if (!inbound.isSettled()) {
            inbound.requeue();
          }
          lane.lastProgressNanos = System.nanoTime();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lane.running = false;
      broker.consumerStopped(queue, consumer);
    }
  }

  /** Stops taking messages until {@link #resume()}; those being handled go on. */
  @Override
  public boolean pause() {
    paused = true;
    return true;
  }

  /** Takes messages again. */
  @Override
  public void resume() {
    if (paused) {
      paused = false;
      broker.wakeAll();
    }
  }

  /**
   * Down when closed, when a worker has died, or when one of its queues has had ready messages for
   * longer than the spec's stall timeout while none of its workers took or settled one (on a
   * single-active-consumer queue, only if one of ours is the active consumer); a paused one is not
   * stalled.
   */
  @Override
  public Health.Component health() {
    String name = "subscription:" + spec.name();
    int active = 0;
    for (Worker lane : lanes) {
      active += lane.running ? 1 : 0;
    }
    long now = System.nanoTime();
    Set<InMemoryBroker.Queue> distinct = new LinkedHashSet<>();
    lanes.forEach(lane -> distinct.add(lane.queue));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("consumers", lanes.size());
    details.put("activeConsumers", active);
    long ready = 0;
    String stalled = null;
    for (InMemoryBroker.Queue queue : distinct) {
      InMemoryBroker.QueueView view = broker.view(queue);
      ready += view.ready();
      long progress = 0;
      boolean judged = !queue.singleActive;
      for (Worker lane : lanes) {
        if (lane.queue == queue) {
          progress = Math.max(progress, lane.lastProgressNanos);
          judged |= view.activeConsumer() == lane;
        }
      }
      long limit = spec.stallTimeout().toNanos();
      if (stalled == null
          && judged
          && view.ready() > 0
          && view.readySinceNanos() != 0
          && now - view.readySinceNanos() >= limit
          && now - progress >= limit) {
        stalled =
            "stalled: "
                + view.ready()
                + " messages ready in "
                + queue.name
                + " for "
                + Duration.ofNanos(now - view.readySinceNanos()).toMillis()
                + " ms and nothing delivered for "
                + Duration.ofNanos(now - progress).toMillis()
                + " ms";
      }
    }
    details.put("readyMessages", ready);
    details.put("paused", paused);
    if (closed) {
      return new Health.Component(name, Health.Status.DOWN, "closed", details);
    }
    if (active < lanes.size()) {
      return new Health.Component(
          name, Health.Status.DOWN, active + " of " + lanes.size() + " consumers active", details);
    }
    if (stalled != null && !paused) {
      return new Health.Component(name, Health.Status.DOWN, stalled, details);
    }
    return new Health.Component(name, Health.Status.UP, "", details);
  }

  /** Stops taking messages, then waits (up to the shutdown timeout) for those in flight. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    broker.wakeAll();
    long until = System.nanoTime() + shutdownTimeout.toNanos();
    for (Thread worker : workers) {
      if (worker == Thread.currentThread()) {
        continue;
      }
      try {
        worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (worker.isAlive()) {
        log.warn(
            "Subscription {} closing with a handler still running after {}",
            spec.name(),
            shutdownTimeout);
      }
    }
  }
}
