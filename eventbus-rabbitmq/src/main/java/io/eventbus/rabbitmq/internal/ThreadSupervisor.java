package io.eventbus.rabbitmq.internal;

import io.eventbus.Health;
import io.eventbus.spi.SafeText;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the transport's own threads and periodic tasks alive whatever a message or the broker does:
 * a loop that throws is started again on a new thread after a back-off, a periodic task that throws
 * keeps its schedule (a {@code ScheduledExecutorService} would silently cancel it), and both are
 * reported.
 *
 * <p>Each failure is logged at ERROR once per task and exception class (with its stack trace, the
 * first time), counted, and shown by {@link #health()}: component {@code threads} is DOWN, naming
 * the task and the failure, while a loop waits to be restarted, and for {@value #DOWN_SECONDS} s
 * after a periodic task failed; then UP again with the counts as details.
 *
 * <h2>Thread safety</h2>
 *
 * Thread-safe.
 */
public final class ThreadSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ThreadSupervisor.class);
  private static final Duration FIRST_RESTART = Duration.ofMillis(100);
  private static final Duration MAX_RESTART = Duration.ofSeconds(5);
  static final long DOWN_SECONDS = 60;

  /** A loop that may need restarting: its current thread, for joining on close. */
  public interface Supervised {
    /** Waits up to {@code timeout} for the loop's current thread to end. */
    void join(Duration timeout) throws InterruptedException;
  }

  private final ScheduledExecutorService scheduler;
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Map<String, Boolean> logged = new ConcurrentHashMap<>();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong taskFailures = new AtomicLong();

  /** The last failure of one task, and whether a restart is pending. */
  private record Failure(String description, Instant at, long atNanos, boolean restarting) {}

  /**
   * @param scheduler runs restarts after their back-off
   */
  public ThreadSupervisor(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * Runs {@code loop} on a thread from {@code threads}; if it throws, reports the failure and runs
   * it again on a new thread after a back-off (100 ms doubling to 5 s, reset after a minute without
   * failure). A loop that returns normally has ended and is not restarted.
   */
  public Supervised start(String name, ThreadFactory threads, Runnable loop) {
    Loop supervised = new Loop(name, threads, loop);
    supervised.launch();
    return supervised;
  }

  /**
   * {@code task}, for a fixed-delay schedule, catching what it throws so that the schedule goes on,
   * and reporting it.
   */
  public Runnable periodic(String name, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable failure) {
        taskFailures.incrementAndGet();
        report(name, failure, false);
        if (failure instanceof VirtualMachineError error
            && !(error instanceof StackOverflowError)) {
          throw error;
        }
      }
    };
  }

  /** How many times a loop was started again after a failure. */
  public long restarts() {
    return restarts.get();
  }

  /** The {@code threads} component (see the class description). */
  public Health.Component health() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("restarts", restarts.get());
    details.put("taskFailures", taskFailures.get());
    long now = System.nanoTime();
    String down = null;
    for (Map.Entry<String, Failure> entry : failures.entrySet()) {
      Failure failure = entry.getValue();
      details.put("lastFailure:" + entry.getKey(), failure.at().toString());
      boolean recent = now - failure.atNanos() < TimeUnit.SECONDS.toNanos(DOWN_SECONDS);
      if (failure.restarting() || (recent && !isLoop(entry.getKey()))) {
        down =
            (down == null ? "" : down + "; ")
                + entry.getKey()
                + (failure.restarting() ? " died and is being restarted: " : " failed: ")
                + failure.description();
      }
    }
    return down == null
        ? new Health.Component("threads", Health.Status.UP, "", details)
        : new Health.Component("threads", Health.Status.DOWN, down, details);
  }

  private final Map<String, Boolean> loops = new ConcurrentHashMap<>();

  private boolean isLoop(String name) {
    return loops.containsKey(name);
  }

  private void report(String name, Throwable failure, boolean restarting) {
    failures.put(
        name, new Failure(SafeText.message(failure), Instant.now(), System.nanoTime(), restarting));
    String key = name + "/" + failure.getClass().getName();
    if (logged.putIfAbsent(key, Boolean.TRUE) == null) {
      log.error(
          "{} {}; this is logged once per failure type, later ones are counted in health()",
          name,
          restarting ? "died and will be restarted" : "failed and keeps its schedule",
          failure);
    } else {
      log.debug("{} failed again: {}", name, SafeText.message(failure));
    }
  }

  private final class Loop implements Supervised, Runnable {
    private final String name;
    private final ThreadFactory threads;
    private final Runnable loop;
    private volatile @Nullable Thread thread;
    private Duration nextDelay = FIRST_RESTART; // guarded by this
    private long lastFailureNanos; // guarded by this

    Loop(String name, ThreadFactory threads, Runnable loop) {
      this.name = name;
      this.threads = threads;
      this.loop = loop;
      loops.put(name, Boolean.TRUE);
    }

    void launch() {
      Thread started = threads.newThread(this);
      thread = started;
      started.start();
    }

    @Override
    public void run() {
      try {
        loop.run();
      } catch (Throwable failure) {
        report(name, failure, true);
        restartLater();
      }
    }

    private void restartLater() {
      Duration delay;
      synchronized (this) {
        long now = System.nanoTime();
        if (now - lastFailureNanos > TimeUnit.MINUTES.toNanos(1)) {
          nextDelay = FIRST_RESTART;
        }
        lastFailureNanos = now;
        delay = nextDelay;
        Duration doubled = nextDelay.multipliedBy(2);
        nextDelay = doubled.compareTo(MAX_RESTART) > 0 ? MAX_RESTART : doubled;
      }
      try {
        scheduler.schedule(this::restart, delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        log.debug("{} is not restarted: the transport is closing", name);
      }
    }

    private void restart() {
      restarts.incrementAndGet();
      failures.computeIfPresent(
          name,
          (key, failure) ->
              new Failure(failure.description(), failure.at(), failure.atNanos(), false));
      log.warn("Restarting {} after its failure", name);
      launch();
    }

    @Override
    public void join(Duration timeout) throws InterruptedException {
      Thread current = thread;
      if (current != null) {
        current.join(Math.max(1, timeout.toMillis()));
      }
    }
  }
}
