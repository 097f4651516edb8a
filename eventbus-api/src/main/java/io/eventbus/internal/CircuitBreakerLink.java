package io.eventbus.internal;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import org.jspecify.annotations.Nullable;

/**
 * The {@code CIRCUIT_BREAKER} stage: lets a delivery run only when its subscription's {@link
 * Circuit} allows, counts its outcome after the in-process retries, and keeps it when the circuit
 * opens or a dependency is unavailable, to run it again once the circuit probes or the back-off
 * ends. It sits inside the delayed-redelivery link, so a delivery kept here is neither redelivered
 * nor dead-lettered: nothing goes to the dead-letter queue because of an open circuit.
 *
 * <ul>
 *   <li>A failure that counts and leaves the circuit open (or opens it): the delivery waits and
 *       runs again, its attempt numbers continuing.
 *   <li>A dependency unavailable ({@link RetryPolicy#isDependencyUnavailable}): the subscription
 *       backs off; the delivery waits and runs again with the same attempt number.
 *   <li>Any other failure fails on, to delayed redelivery or the dead-letter queue.
 *   <li>When the subscription closes, waiting deliveries are returned to their queue.
 * </ul>
 */
final class CircuitBreakerLink implements Link {
  private final Circuit circuit;
  private final RetrySelection retries;
  private final @Nullable CircuitBreakerPolicy policy;

  CircuitBreakerLink(
      Circuit circuit, RetrySelection retries, @Nullable CircuitBreakerPolicy policy) {
    this.circuit = circuit;
    this.retries = retries;
    this.policy = policy;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) throws Exception {
    DeliveryContext current = delivery;
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
      long start = System.nanoTime();
      try {
        next.proceed(current);
      } catch (Exception failure) {
        long took = System.nanoTime() - start;
        RetryPolicy retry = retries.policyFor(current.metadata().type());
        if (retry.isDependencyUnavailable(failure)) {
          circuit.backOff(permit, failure);
          continue;
        }
        boolean recorded = policy != null && policy.isRecorded(failure, retry);
        if (circuit.failed(permit, failure, recorded, took)) {
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
}
