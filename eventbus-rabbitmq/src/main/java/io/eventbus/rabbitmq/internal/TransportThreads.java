package io.eventbus.rabbitmq.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Creates the transport's own threads and shuts them down in order. All are daemon threads named
 * {@code eventbus-<role>-<n>}; an executor starts its thread with its first task, so making this
 * starts none.
 *
 * <ul>
 *   <li>{@code eventbus-scheduler-1}: the publish deadline sweep, nack back-offs, reconnection
 *       attempts and consumer re-opens;
 *   <li>{@code eventbus-confirms-1}: completes publish futures, so user callbacks never run on
 *       amqp-client's I/O thread;
 *   <li>{@code eventbus-consumer-N}: a cached pool given to the consuming connection, running
 *       handlers;
 *   <li>{@code eventbus-health-1}: samples queue depths for health;
 *   <li>{@code eventbus-topology-1}: declares the topology again when the broker returned events
 *       that an own subscription is bound for (those declarations block on the broker, so they run
 *       neither on an I/O thread nor on the scheduler);
 *   <li>{@code eventbus-publisher-1}: the publisher's sender thread, made by {@link
 *       #publisherThreads()} and ended by the publisher's close.
 * </ul>
 */
public final class TransportThreads {
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("scheduler"));
  private final ExecutorService completions =
      Executors.newSingleThreadExecutor(new DaemonThreads("confirms"));
  private final ExecutorService dispatch =
      Executors.newCachedThreadPool(new DaemonThreads("consumer"));
  private final ScheduledExecutorService health =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("health"));
  private final ExecutorService topology =
      Executors.newSingleThreadExecutor(new DaemonThreads("topology"));

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public Executor completions() {
    return completions;
  }

  public ExecutorService dispatch() {
    return dispatch;
  }

  public ScheduledExecutorService health() {
    return health;
  }

  /** Runs declarations of the topology asked for by returned events. */
  public Executor topology() {
    return topology;
  }

  /** Makes the publisher's sender thread. */
  public ThreadFactory publisherThreads() {
    return new DaemonThreads("publisher");
  }

  /** Stops sampling at once; the first step of closing, before the connections close. */
  public void stopHealth() {
    health.shutdownNow();
  }

  /**
   * Shuts every executor down, the last step of closing: scheduled work is dropped, completions
   * already handed over still run, handlers in flight finish. Idempotent.
   */
  public void shutdown() {
    health.shutdownNow();
    scheduler.shutdownNow();
    topology.shutdownNow();
    completions.shutdown();
    dispatch.shutdown();
  }
}
