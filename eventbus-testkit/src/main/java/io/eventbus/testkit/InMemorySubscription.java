package io.eventbus.testkit;

import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads taking from the subscription's queues: {@code concurrency} workers on its one
 * queue, or one worker per partition queue when partitioned. Workers of every subscription with the
 * same name take from the same queues: competing consumers; on an ordered or partition queue only
 * the first worker to arrive takes, until it stops (single active consumer).
 */
final class InMemorySubscription implements TransportSubscription {
  private static final Logger log = LoggerFactory.getLogger(InMemorySubscription.class);

  private final InMemoryBroker broker;
  private final List<InMemoryBroker.Queue> queues;
  private final SubscriptionSpec spec;
  private final Consumer<InboundMessage> receiver;
  private final Duration shutdownTimeout;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

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
      Thread worker =
          new Thread(
              () -> work(queue), "eventbus-inmemory-" + spec.name() + "-" + serial + "-" + (i + 1));
      worker.setDaemon(true);
      workers.add(worker);
      broker.consumerStarted(queue);
    }
    workers.forEach(Thread::start);
  }

  private void work(InMemoryBroker.Queue queue) {
    Object consumer = new Object();
    try {
      while (true) {
        InMemoryBroker.Envelope envelope = broker.take(queue, consumer, () -> closed);
        if (envelope == null) {
          return;
        }
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
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      broker.consumerStopped(queue, consumer);
    }
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
