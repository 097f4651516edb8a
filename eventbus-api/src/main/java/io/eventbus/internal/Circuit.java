package io.eventbus.internal;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.Health;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's circuit: its resilience4j circuit breaker (if it has one) and its back-off
 * after a dependency said it is unavailable, the deliveries waiting for either, and the pause of
 * the transport subscription that goes with them. The {@code CIRCUIT_BREAKER} link asks it whether
 * a delivery may run ({@link #enter}) and tells it how the delivery ended.
 *
 * <h2>States and what they do to the transport</h2>
 *
 * The subscription is paused while the breaker is open or a back-off lasts, and consumes otherwise
 * (half-open included, so that probes arrive). The breaker never leaves the open state by itself:
 * the {@link Scheduler} wakes the circuit after the policy's open duration and moves it to
 * half-open; a failed probe opens it again at once (stricter than resilience4j's rate over the
 * probes, and it needs no other probe to finish: with one consumer, a held probe would otherwise
 * wait for probes that can never come); {@code probes} successes close it. A back-off ends when its
 * own wake-up runs; the latest back-off replaces an earlier one (each is a {@link PendingWake}).
 * The clock only stamps what health reports (and feeds resilience4j's time-based window), so a
 * fixed clock never keeps a subscription paused. {@link Breakers} builds the breaker, {@link
 * CircuitHealth} writes the health and {@link DependencyFailures} reads the back-off's length and
 * reason from the failure.
 *
 * <h2>Thread safety</h2>
 *
 * Called from every consumer thread of the subscription and from the scheduler. Closed-state calls
 * take no lock (resilience4j's breaker is lock-free); waiting and state changes happen under one
 * lock and one condition. The transport is paused or resumed after the change, reading the state
 * then, so that racing changes end in the right state.
 */
final class Circuit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Circuit.class);

  /** How long a back-off lasts when neither the failure nor a breaker policy says. */
  static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(5);

  /** What {@link #enter} grants. */
  enum Permit {
    /** No breaker: run, and report nothing. */
    FREE,
    /** The breaker granted a call: report its outcome exactly once. */
    CALL,
    /** Do not run: give the delivery back to its queue for later (paused, unordered). */
    DEFER
  }

  /** Why a delivery waits, for the metric. */
  enum Deferral {
    CIRCUIT_OPEN("circuit_open"),
    DEPENDENCY_UNAVAILABLE("dependency_unavailable");

    final String value;

    Deferral(String value) {
      this.value = value;
    }
  }

  private final String subscription;
  private final @Nullable CircuitBreakerPolicy policy;
  private final @Nullable CircuitBreaker breaker;
  private final Clock clock;
  private final SubscriptionControl control;
  private final @Nullable ConsumerTelemetry telemetry;
  private final Duration defaultBackoff;
  private final boolean deferWhilePaused;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicLong deferred = new AtomicLong();
  private final AtomicLong openings = new AtomicLong();
  private final @Nullable AutoCloseable gauge;
  private volatile boolean closed;
  private volatile boolean backingOff;
  // Guarded by lock:
  private final PendingWake backoff;
  private final PendingWake probe;
  private String backoffReason = "";
  private boolean syncNeeded;
  private int held;

  Circuit(
      String subscription,
      @Nullable CircuitBreakerPolicy policy,
      Clock clock,
      Scheduler scheduler,
      SubscriptionControl control,
      boolean deferWhilePaused,
      @Nullable ConsumerTelemetry telemetry) {
    this.subscription = subscription;
    this.deferWhilePaused = deferWhilePaused;
    this.policy = policy;
    this.clock = clock;
    this.control = control;
    this.telemetry = telemetry;
    this.defaultBackoff = policy != null ? policy.openDuration() : DEFAULT_BACKOFF;
    this.backoff = new PendingWake(clock, scheduler);
    this.probe = new PendingWake(clock, scheduler);
    this.breaker = policy == null ? null : Breakers.forSubscription(subscription, policy, clock);
    if (breaker != null) {
      breaker
          .getEventPublisher()
          .onStateTransition(event -> transitioned(event.getStateTransition().getToState()));
    }
    this.gauge =
        telemetry != null && breaker != null
            ? telemetry.circuitStateGauge(() -> breaker.getState().name())
            : null;
  }

  /**
   * Waits until a delivery may run: at once while the circuit is closed and no back-off lasts;
   * otherwise until the breaker grants a probe or the circuit closes, and the back-off ends. An
   * unordered subscription whose transport can pause does not wait while it is open or backing off:
   * it gets {@link Permit#DEFER}, so that the delivery goes back to the queue and the paused
   * consumer holds nothing; a half-open one waits for the probes either way (briefly, and at most
   * one delivery per consumer).
   *
   * @return what was granted, or null if the circuit was closed (the subscription is closing): the
   *     delivery must then go back to its queue
   * @throws InterruptedException if the thread is interrupted while it waits
   */
  @Nullable Permit enter() throws InterruptedException {
    Permit permit = tryEnter();
    if (permit != null) {
      return permit;
    }
    boolean counted = false;
    lock.lock();
    held++;
    try {
      while (true) {
        if (closed) {
          return null;
        }
        permit = tryEnter();
        if (permit != null) {
          return permit;
        }
        if (!counted) {
          counted = true;
          deferred.incrementAndGet();
          if (telemetry != null) {
            telemetry.recordDeferred(
                (backingOff ? Deferral.DEPENDENCY_UNAVAILABLE : Deferral.CIRCUIT_OPEN).value);
          }
        }
        if (deferWhilePaused && control.pausable() && (backingOff || state() == State.OPEN)) {
          return Permit.DEFER;
        }
        changed.await();
      }
    } finally {
      held--;
      unlockAndSync();
    }
  }

  /**
   * What a delivery gets now, without waiting: a permit, or null if it would have to wait (or the
   * circuit is closed). A breaker that is open past its open duration (by the clock) becomes
   * half-open here, as resilience4j does.
   */
  @Nullable Permit tryEnter() {
    if (closed || backingOff) {
      return null;
    }
    if (breaker == null) {
      return Permit.FREE;
    }
    return breaker.tryAcquirePermission() ? Permit.CALL : null;
  }

  /** The delivery that got {@code permit} was handled in {@code nanos}. */
  void succeeded(Permit permit, long nanos) {
    if (permit == Permit.CALL && breaker != null) {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The delivery that got {@code permit} ended without being handled or failing (closing). */
  void released(Permit permit) {
    if (permit == Permit.CALL && breaker != null) {
      breaker.releasePermission();
      signalUnlessClosedState();
    }
  }

  /**
   * The delivery that got {@code permit} failed with {@code failure} after its in-process retries;
   * {@code recorded}: whether the failure counts. Returns whether the delivery must wait and run
   * again (the circuit is not closed after this failure), rather than fail on.
   */
  boolean failed(Permit permit, Throwable failure, boolean recorded, long nanos) {
    if (permit != Permit.CALL || breaker == null) {
      return false;
    }
    if (!recorded) {
      breaker.releasePermission();
      signalUnlessClosedState();
      return false;
    }
    breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
    if (breaker.getState() == State.HALF_OPEN) {
      breaker.transitionToOpenState();
    }
    return breaker.getState() != State.CLOSED;
  }

  /**
   * The delivery that got {@code permit} found a dependency unavailable: pauses the subscription
   * for the failure's retry-after (or the default) and makes deliveries wait until then. The
   * delivery itself then waits in {@link #enter} like the others.
   */
  void backOff(Permit permit, Throwable failure) {
    released(permit);
    Duration wait = retryAfter(failure);
    String reason = DependencyFailures.describe(failure);
    lock.lock();
    try {
      if (closed) {
        return;
      }
      boolean started = backoff.schedule(wait, this::endBackoff);
      backoffReason = reason;
      backingOff = true;
      syncNeeded = true;
      if (started) {
        log.warn(
            "Subscription {} backs off for {}: {}; its deliveries wait, none is retried or parked",
            subscription,
            wait,
            reason);
      }
    } finally {
      unlockAndSync();
    }
  }

  private void endBackoff(long token) {
    lock.lock();
    try {
      if (closed || !backoff.fire(token)) {
        return;
      }
      backingOff = false;
      syncNeeded = true;
      changed.signalAll();
      log.info("Subscription {} resumes after backing off", subscription);
    } finally {
      unlockAndSync();
    }
  }

  /** Resilience4j's breaker changed state (on the thread that changed it). */
  private void transitioned(State to) {
    lock.lock();
    try {
      probe.clear();
      if (to == State.OPEN && !closed && policy != null) {
        openings.incrementAndGet();
        Duration wait = policy.openDuration();
        probe.schedule(wait, this::probe);
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        log.warn(
            "Circuit of subscription {} opened ({} of {} deliveries failed); consumption paused,"
                + " probing again in {}",
            subscription,
            metrics.getNumberOfFailedCalls(),
            metrics.getNumberOfBufferedCalls(),
            wait);
      } else if (to == State.HALF_OPEN) {
        log.info("Circuit of subscription {} half-open: probing", subscription);
      } else if (to == State.CLOSED) {
        log.info("Circuit of subscription {} closed: consuming again", subscription);
      }
      syncNeeded = true;
      changed.signalAll();
    } finally {
      unlockAndSync();
    }
  }

  /** The open duration has passed: half-open, so that probes come. */
  private void probe(long token) {
    lock.lock();
    try {
      if (closed || !probe.fire(token) || breaker.getState() != State.OPEN) {
        return;
      }
      breaker.transitionToHalfOpenState();
    } finally {
      unlockAndSync();
    }
  }

  private void signalUnlessClosedState() {
    if (breaker != null && breaker.getState() != State.CLOSED) {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Unlocks and, if this was the outermost hold and the state changed, syncs the transport. */
  private void unlockAndSync() {
    boolean sync = syncNeeded && lock.getHoldCount() == 1;
    if (sync) {
      syncNeeded = false;
    }
    lock.unlock();
    if (sync) {
      control.sync(this::wantPaused);
    }
  }

  /** Whether the transport should be paused now. */
  boolean wantPaused() {
    return !closed && (backingOff || (breaker != null && breaker.getState() == State.OPEN));
  }

  /** The breaker's state, or CLOSED without a breaker. */
  State state() {
    return breaker == null ? State.CLOSED : breaker.getState();
  }

  /** Whether a back-off lasts. */
  boolean backingOff() {
    return backingOff;
  }

  /** Deliveries waiting now. */
  int held() {
    lock.lock();
    try {
      return held;
    } finally {
      lock.unlock();
    }
  }

  /** Deliveries that had to wait so far, each counted once per wait. */
  long deferred() {
    return deferred.get();
  }

  /** When the open circuit probes next, or null if it is not open. */
  @Nullable Instant probeAt() {
    lock.lock();
    try {
      return probe.due();
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code transport}'s view of the subscription, with the circuit's: {@link
   * Health.Status#DEGRADED} (or worse) while the circuit is open or half-open or a back-off lasts,
   * with the reason and when it probes or resumes ({@link CircuitHealth}).
   */
  Health.Component health(Health.Component transport) {
    CircuitHealth.Snapshot snapshot;
    lock.lock();
    try {
      CircuitBreaker.Metrics metrics = breaker == null ? null : breaker.getMetrics();
      snapshot =
          new CircuitHealth.Snapshot(
              breaker != null,
              state(),
              openings.get(),
              deferred.get(),
              held,
              backoff.due(),
              backoffReason,
              probe.due(),
              metrics == null ? 0 : metrics.getNumberOfFailedCalls(),
              metrics == null ? 0 : metrics.getNumberOfBufferedCalls(),
              metrics == null ? -1 : metrics.getFailureRate(),
              policy == null ? 0 : policy.failureRateThreshold(),
              policy == null ? 0 : policy.probes());
    } finally {
      lock.unlock();
    }
    return CircuitHealth.of(transport, snapshot, clock.instant());
  }

  /** The retry-after a failure asks for, or the default. */
  Duration retryAfter(Throwable failure) {
    return DependencyFailures.retryAfter(failure, defaultBackoff);
  }

  /** Stops every wait (the waiting deliveries go back to their queue) and every wake-up. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      probe.cancel();
      backoff.cancel();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (gauge != null) {
      try {
        gauge.close();
      } catch (Exception e) {
        log.debug("Closing the circuit gauge of {} failed", subscription, e);
      }
    }
  }
}
