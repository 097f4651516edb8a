package io.eventbus.internal;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.DeadLetterReason;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code CIRCUIT_BREAKER} stage: lets a delivery run only when its subscription's {@link
 * Circuit} allows, counts its outcome after the in-process retries, and keeps it back when the
 * circuit opens or a dependency is unavailable. It sits inside the delayed-redelivery link, so a
 * delivery kept back is neither redelivered nor dead-lettered: nothing goes to the dead-letter
 * queue because of an open circuit.
 *
 * <p>Kept back means, for an unordered subscription whose transport pauses: given back to its queue
 * ({@link DeliveryState#defer}, a copy at the back with its history, costing no delivery count), so
 * that the paused subscription holds nothing and other instances may take it; for an ordered or
 * partitioned one (and on a transport that cannot pause): held here, in order, and run again once
 * the circuit probes or the back-off ends.
 *
 * <ul>
 *   <li>A failure that counts and leaves the circuit open (or opens it): kept back; its failed
 *       attempts count, so a later run continues their numbers.
 *   <li>A dependency unavailable ({@link RetryPolicy#isDependencyUnavailable}): the subscription
 *       backs off; the delivery is kept back and the refused attempt does not count.
 *   <li>Any other failure fails on, to delayed redelivery or the dead-letter queue.
 *   <li>When the subscription closes, held deliveries are returned to their queue.
 * </ul>
 */
final class CircuitBreakerLink implements Link {
  private final Circuit circuit;
  private final RetrySelection retries;
  private final @Nullable CircuitBreakerPolicy policy;
  private final Clock clock;

  CircuitBreakerLink(
      Circuit circuit, RetrySelection retries, @Nullable CircuitBreakerPolicy policy, Clock clock) {
    this.circuit = circuit;
    this.retries = retries;
    this.policy = policy;
    this.clock = clock;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    DeliveryContext current = delivery;
    @Nullable Exception failed = null;
    boolean refused = false;
    while (true) {
      Circuit.Permit permit;
      try {
        permit = circuit.enter();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        state.requeue();
        return;
      }
      if (permit == null) {
        state.requeue();
        return;
      }
      if (permit == Circuit.Permit.DEFER) {
        state.defer(history(state, failed, refused));
        return;
      }
      long start = System.nanoTime();
      try {
        next.proceed(current);
      } catch (Exception failure) {
        long took = System.nanoTime() - start;
        RetryPolicy retry = retries.policyFor(current.metadata().type());
        if (retry.isDependencyUnavailable(failure)) {
          circuit.backOff(permit, failure);
          refused = true;
          continue;
        }
        boolean recorded = policy != null && policy.isRecorded(failure, retry);
        if (circuit.failed(permit, failure, recorded, took)) {
          failed = failure;
          refused = false;
          current = current.withAttempt(state.attempts() + 1);
          continue;
        }
        throw failure;
      }
      if (state.outcome() == Outcome.UNSETTLED) {
        circuit.succeeded(permit, System.nanoTime() - start);
      } else {
        circuit.released(permit);
      }
      return;
    }
  }

  /**
   * The headers a deferred copy carries, so that its next delivery counts on from here: the failed
   * attempts of this delivery if a counting failure kept it back (a refused attempt does not
   * count), and the broker's count of earlier deliveries, which the copy loses, folded into our
   * attempt count. A delivery that never ran, of a message never delivered before, goes back
   * unchanged.
   */
  private Map<String, String> history(
      DeliveryState state, @Nullable Exception failed, boolean refused) {
    Instant now = clock.instant();
    int before = state.firstAttempt() - 1;
    if (failed != null) {
      int attempts = refused ? Math.max(before, state.attempts() - 1) : state.attempts();
      return DeadLetterReason.historyHeaders(
          failed,
          attempts,
          state.history().redeliveries(),
          state.firstFailure(now),
          state.lastFailure(now));
    }
    int counted = refused ? Math.max(before, state.attempts() - 1) : before;
    if (counted == state.history().attempts()) {
      return Map.of();
    }
    return Map.of(DeadLetterReason.HEADER_ATTEMPTS, Integer.toString(counted));
  }
}
