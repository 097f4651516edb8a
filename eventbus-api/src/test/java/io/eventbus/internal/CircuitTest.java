package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.DependencyUnavailableException;
import io.eventbus.Health;
import io.eventbus.RequestException;
import io.eventbus.internal.Circuit.Permit;
import io.eventbus.spi.TransportSubscription;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The circuit's state changes, driven by a manual clock and scheduler: nothing here sleeps. A fake
 * transport subscription records what the circuit asks of it.
 */
class CircuitTest {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private static final CircuitBreakerPolicy POLICY =
      CircuitBreakerPolicy.builder()
          .failureRateThreshold(50)
          .slidingWindow(4)
          .minimumCalls(4)
          .openDuration(Duration.ofSeconds(30))
          .probes(2)
          .build();

  /** Records pause and resume; can be told that it cannot pause. */
  static final class FakeSubscription implements TransportSubscription {
    final List<String> calls = new ArrayList<>();
    boolean canPause = true;

    @Override
    public synchronized boolean pause() {
      calls.add("pause");
      return canPause;
    }

    @Override
    public synchronized void resume() {
      calls.add("resume");
    }

    @Override
    public Health.Component health() {
      return new Health.Component("subscription", Health.Status.UP, "", Map.of("consumers", 1));
    }

    @Override
    public void close() {}
  }

  private final ManualScheduler time = new ManualScheduler(START);
  private final FakeSubscription transport = new FakeSubscription();
  private final SubscriptionControl control = new SubscriptionControl("payments");

  private Circuit circuit(CircuitBreakerPolicy policy) {
    control.attach(transport);
    return new Circuit("payments", policy, time, time, control, false, null);
  }

  private static final RuntimeException DOWN = new IllegalStateException("payment service down");

  /** One delivery that fails and counts; returns whether it must wait. */
  private static boolean fail(Circuit circuit) {
    Permit permit = circuit.tryEnter();
    assertThat(permit).isEqualTo(Permit.CALL);
    return circuit.failed(permit, DOWN, true, 1_000);
  }

  private static void succeed(Circuit circuit) {
    Permit permit = circuit.tryEnter();
    assertThat(permit).isEqualTo(Permit.CALL);
    circuit.succeeded(permit, 1_000);
  }

  private Circuit opened() {
    Circuit circuit = circuit(POLICY);
    succeed(circuit);
    fail(circuit);
    fail(circuit);
    assertThat(fail(circuit)).isTrue();
    return circuit;
  }

  /** Waits (at most 10 s, spinning: nothing to be told by) until {@code count} deliveries wait. */
  static void awaitHeld(Circuit circuit, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (circuit.held() < count) {
      assertThat(System.nanoTime()).as("%d deliveries waiting", count).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void failuresBelowTheMinimumOrTheThresholdKeepTheCircuitClosedAndFailOn() {
    Circuit circuit = circuit(POLICY);

    assertThat(fail(circuit)).as("1 of 1: below the minimum").isFalse();
    succeed(circuit);
    succeed(circuit);
    assertThat(fail(circuit)).as("2 of 4: at the threshold opens").isTrue();

    Circuit other =
        new Circuit("other", POLICY, time, time, new SubscriptionControl("o"), false, null);
    succeed(other);
    succeed(other);
    succeed(other);
    assertThat(fail(other)).as("1 of 4: below the threshold").isFalse();
    assertThat(other.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void aFailureRateAtTheThresholdOpensTheCircuitPausesTheSubscriptionAndHoldsDeliveries() {
    Circuit circuit = opened();

    assertThat(circuit.state()).isEqualTo(State.OPEN);
    assertThat(transport.calls).containsExactly("pause");
    assertThat(circuit.tryEnter()).as("a delivery must wait").isNull();
    assertThat(circuit.probeAt()).isEqualTo(START.plusSeconds(30));
    Health.Component health = circuit.health(transport.health());
    assertThat(health.status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(health.detail())
        .isEqualTo(
            "circuit open: 3 of the last 4 deliveries failed (threshold 50.0%); paused, probing"
                + " again at 2026-12-01T10:00:30Z (in 30.0 s)");
    assertThat(health.details())
        .containsEntry("circuitState", "OPEN")
        .containsEntry("nextProbe", "2026-12-01T10:00:30Z")
        .containsEntry("failureRate", "75.0%")
        .containsEntry("consumers", 1);
  }

  @Test
  void afterTheOpenDurationItIsHalfOpenResumesAndClosesWhenEveryProbeSucceeds() {
    Circuit circuit = opened();

    time.advance(Duration.ofSeconds(29));
    assertThat(circuit.state()).isEqualTo(State.OPEN);
    time.advance(Duration.ofSeconds(1));

    assertThat(circuit.state()).isEqualTo(State.HALF_OPEN);
    assertThat(transport.calls).containsExactly("pause", "resume");
    assertThat(circuit.health(transport.health()).detail())
        .isEqualTo("circuit half-open: probing with up to 2 deliveries");
    Permit first = circuit.tryEnter();
    Permit second = circuit.tryEnter();
    assertThat(first).isEqualTo(Permit.CALL);
    assertThat(second).isEqualTo(Permit.CALL);
    assertThat(circuit.tryEnter()).as("no third probe").isNull();
    circuit.succeeded(first, 1_000);
    assertThat(circuit.state()).isEqualTo(State.HALF_OPEN);
    circuit.succeeded(second, 1_000);

    assertThat(circuit.state()).isEqualTo(State.CLOSED);
    assertThat(circuit.health(transport.health()).status()).isEqualTo(Health.Status.UP);
    assertThat(transport.calls).containsExactly("pause", "resume");
    assertThat(time.pending()).isZero();
  }

  @Test
  void aFailedProbeOpensTheCircuitAgainAtOnceAndPausesAgain() {
    Circuit circuit = opened();
    time.advance(Duration.ofSeconds(30));
    Permit probe = circuit.tryEnter();
    Permit other = circuit.tryEnter();

    assertThat(circuit.failed(probe, DOWN, true, 1_000)).as("the failed probe waits").isTrue();

    assertThat(circuit.state()).isEqualTo(State.OPEN);
    assertThat(transport.calls).containsExactly("pause", "resume", "pause");
    assertThat(circuit.probeAt()).isEqualTo(START.plusSeconds(60));
    circuit.succeeded(other, 1_000);
    assertThat(circuit.state()).as("a late success does not close it").isEqualTo(State.OPEN);
    time.advance(Duration.ofSeconds(30));
    assertThat(circuit.state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void aFailureThatDoesNotCountNeitherOpensTheCircuitNorWaits() {
    Circuit circuit = circuit(POLICY);
    for (int i = 0; i < 10; i++) {
      Permit permit = circuit.tryEnter();
      assertThat(circuit.failed(permit, DOWN, false, 1_000)).isFalse();
    }

    assertThat(circuit.state()).isEqualTo(State.CLOSED);
    assertThat(transport.calls).isEmpty();
  }

  @Test
  void aFailureOfADeliveryInFlightWhenTheCircuitOpenedWaitsToo() {
    Circuit circuit = circuit(POLICY);
    Permit inFlight = circuit.tryEnter();
    succeed(circuit);
    fail(circuit);
    fail(circuit);
    fail(circuit);
    assertThat(circuit.state()).isEqualTo(State.OPEN);

    assertThat(circuit.failed(inFlight, DOWN, true, 1_000)).isTrue();
  }

  @Test
  void aDependencyUnavailableBacksOffForItsRetryAfterAndThenResumes() {
    Circuit circuit = circuit(null);
    Permit permit = circuit.tryEnter();
    assertThat(permit).isEqualTo(Permit.FREE);

    circuit.backOff(
        permit,
        new DependencyUnavailableException("payment-gateway", Duration.ofSeconds(10), null));

    assertThat(circuit.backingOff()).isTrue();
    assertThat(circuit.tryEnter()).isNull();
    assertThat(transport.calls).containsExactly("pause");
    Health.Component health = circuit.health(transport.health());
    assertThat(health.status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(health.detail())
        .isEqualTo(
            "backing off: dependency payment-gateway unavailable; paused, resuming at"
                + " 2026-12-01T10:00:10Z (in 10.0 s)");
    time.advance(Duration.ofSeconds(10));
    assertThat(circuit.backingOff()).isFalse();
    assertThat(circuit.tryEnter()).isEqualTo(Permit.FREE);
    assertThat(transport.calls).containsExactly("pause", "resume");
  }

  @Test
  void aRefusalByAHandlersOwnBreakerBacksOffForTheDefaultOrTheOpenDurationAndCountsNothing() {
    CircuitBreaker handlersBreaker = CircuitBreaker.ofDefaults("payment-gateway");
    handlersBreaker.transitionToOpenState();
    CallNotPermittedException refused =
        CallNotPermittedException.createCallNotPermittedException(handlersBreaker);

    Circuit plain = circuit(null);
    assertThat(plain.retryAfter(refused)).isEqualTo(Circuit.DEFAULT_BACKOFF);
    assertThat(DependencyFailures.describe(refused))
        .isEqualTo("circuit breaker payment-gateway refused the call");
    assertThat(
            DependencyFailures.describe(
                RequestException.of(
                    "r-1", "stock.reserve.v1", RequestException.Reason.CIRCUIT_OPEN, "open", null)))
        .isEqualTo("the circuit breaker of requests stock.reserve.v1 refused the request");

    Circuit guarded =
        new Circuit("payments", POLICY, time, time, new SubscriptionControl("p"), false, null);
    Permit permit = guarded.tryEnter();
    guarded.backOff(permit, refused);
    assertThat(guarded.retryAfter(refused)).isEqualTo(Duration.ofSeconds(30));
    assertThat(guarded.state()).isEqualTo(State.CLOSED);
    time.advance(Duration.ofSeconds(30));
    assertThat(guarded.tryEnter()).isEqualTo(Permit.CALL);
  }

  @Test
  void aLaterBackOffReplacesAnEarlierOne() {
    Circuit circuit = circuit(null);
    circuit.backOff(
        Permit.FREE, new DependencyUnavailableException("a", Duration.ofSeconds(10), null));
    time.advance(Duration.ofSeconds(1));
    circuit.backOff(
        Permit.FREE, new DependencyUnavailableException("a", Duration.ofSeconds(2), null));

    time.advance(Duration.ofSeconds(2));

    assertThat(circuit.backingOff()).isFalse();
    assertThat(transport.calls).containsExactly("pause", "resume");
    time.advance(Duration.ofSeconds(10));
    assertThat(transport.calls).as("the first wake-up is stale").hasSize(2);
  }

  @Test
  void aTransportThatCannotPauseIsAskedOnceAndDeliveriesStillWait() {
    transport.canPause = false;
    Circuit circuit = opened();

    assertThat(circuit.tryEnter()).isNull();
    assertThat(control.pausable()).isFalse();
    time.advance(Duration.ofSeconds(30));
    fail(circuit);
    assertThat(transport.calls).containsExactly("pause");
  }

  @Test
  void aPauseAskedBeforeTheSubscriptionRunsIsAppliedWhenItIsAttached() {
    SubscriptionControl early = new SubscriptionControl("payments");
    Circuit circuit = new Circuit("payments", POLICY, time, time, early, false, null);
    succeed(circuit);
    fail(circuit);
    fail(circuit);
    fail(circuit);
    assertThat(transport.calls).isEmpty();

    early.attach(transport);

    assertThat(transport.calls).containsExactly("pause");
    assertThat(early.paused()).isTrue();
  }

  @Test
  void aWaitingDeliveryGoesOnAsAProbeOnceTheCircuitIsHalfOpen() throws Exception {
    Circuit circuit = opened();
    CompletableFuture<Permit> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return circuit.enter();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    awaitHeld(circuit, 1);
    assertThat(waiting).isNotDone();

    time.advance(Duration.ofSeconds(30));

    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(Permit.CALL);
    assertThat(circuit.deferred()).isEqualTo(1);
  }

  @Test
  void closingReleasesTheWaitingDeliveriesAndCancelsTheWakeUps() throws Exception {
    Circuit circuit = opened();
    CompletableFuture<Permit> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return circuit.enter();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    awaitHeld(circuit, 1);

    circuit.close();

    assertThat(waiting.get(10, TimeUnit.SECONDS)).as("told to go back to the queue").isNull();
    assertThat(circuit.enter()).isNull();
    assertThat(time.pending()).isZero();
  }

  @Test
  void aTimeBasedWindowForgetsFailuresOlderThanIt() {
    Circuit circuit =
        circuit(POLICY.toBuilder().slidingWindow(Duration.ofSeconds(10)).minimumCalls(2).build());
    fail(circuit);
    time.advance(Duration.ofSeconds(11));

    assertThat(fail(circuit)).as("only one failure in the last 10 s").isFalse();
    assertThat(fail(circuit)).as("two of two").isTrue();
  }

  @Test
  void anUnorderedSubscriptionDefersInsteadOfWaitingWhileOpenOrBackingOffButWaitsForProbes()
      throws Exception {
    control.attach(transport);
    Circuit circuit = new Circuit("payments", POLICY, time, time, control, true, null);
    succeed(circuit);
    fail(circuit);
    fail(circuit);
    fail(circuit);

    assertThat(circuit.enter()).isEqualTo(Permit.DEFER);
    assertThat(circuit.deferred()).isEqualTo(1);
    time.advance(Duration.ofSeconds(30));
    Permit first = circuit.enter();
    Permit second = circuit.enter();
    CompletableFuture<Permit> third =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return circuit.enter();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    awaitHeld(circuit, 1);
    circuit.failed(first, DOWN, true, 1_000);
    assertThat(third.get(10, TimeUnit.SECONDS))
        .as("reopened by the failed probe: the waiting one is deferred")
        .isEqualTo(Permit.DEFER);
    circuit.succeeded(second, 1_000);

    time.advance(Duration.ofSeconds(30));
    circuit.backOff(
        circuit.enter(),
        new DependencyUnavailableException("gateway", Duration.ofSeconds(1), null));
    assertThat(circuit.enter()).isEqualTo(Permit.DEFER);
  }
}
