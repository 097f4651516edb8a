package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.Health;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The circuit's health text from snapshots and a given time: no circuit, no clock. */
class CircuitHealthTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Health.Component UP =
      new Health.Component("subscription", Health.Status.UP, "", Map.of("consumers", 2));

  private static CircuitHealth.Snapshot snapshot(
      boolean breaker,
      State state,
      @Nullable Instant backoffUntil,
      @Nullable Instant probeAt,
      float failureRate) {
    return new CircuitHealth.Snapshot(
        breaker,
        state,
        1,
        7,
        3,
        backoffUntil,
        "dependency db unavailable",
        probeAt,
        5,
        8,
        failureRate,
        50,
        2);
  }

  @Test
  void aClosedCircuitWithoutBackOffKeepsTheTransportsViewAndAddsItsCounts() {
    Health.Component health =
        CircuitHealth.of(UP, snapshot(true, State.CLOSED, null, null, 10), NOW);

    assertThat(health.status()).isEqualTo(Health.Status.UP);
    assertThat(health.detail()).isEmpty();
    assertThat(health.details())
        .containsExactly(
            Map.entry("consumers", 2),
            Map.entry("circuitState", "CLOSED"),
            Map.entry("circuitOpenings", 1L),
            Map.entry("deferredDeliveries", 7L));
  }

  @Test
  void withoutABreakerOnlyDeferralsAreCounted() {
    Health.Component health =
        CircuitHealth.of(UP, snapshot(false, State.CLOSED, null, null, -1), NOW);

    assertThat(health.details()).doesNotContainKeys("circuitState", "circuitOpenings");
    assertThat(health.details()).containsEntry("deferredDeliveries", 7L);
  }

  @Test
  void aBackOffDuringAnOpenCircuitOnADownTransportReportsAllThreeAndStaysDown() {
    Health.Component down =
        new Health.Component("subscription", Health.Status.DOWN, "connection lost", Map.of());

    Health.Component health =
        CircuitHealth.of(
            down, snapshot(true, State.OPEN, NOW.plusMillis(2_500), NOW.minusSeconds(1), -1), NOW);

    assertThat(health.status()).isEqualTo(Health.Status.DOWN);
    assertThat(health.detail())
        .isEqualTo(
            "backing off: dependency db unavailable; paused, resuming at 2026-12-01T10:00:02.500Z"
                + " (in 2.5 s); circuit open: 5 of the last 8 deliveries failed (threshold 50.0%);"
                + " paused, probing again at 2026-12-01T09:59:59Z (in 0.0 s); connection lost");
    assertThat(health.details())
        .containsEntry("resumeAt", "2026-12-01T10:00:02.500Z")
        .containsEntry("nextProbe", "2026-12-01T09:59:59Z")
        .containsEntry("failureRate", "n/a")
        .containsEntry("heldDeliveries", 3);
  }

  @Test
  void aHalfOpenCircuitIsDegradedAndSaysHowManyProbes() {
    Health.Component health =
        CircuitHealth.of(UP, snapshot(true, State.HALF_OPEN, null, null, 0), NOW);

    assertThat(health.status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(health.detail()).isEqualTo("circuit half-open: probing with up to 2 deliveries");
    assertThat(health.details()).doesNotContainKeys("failureRate", "nextProbe", "resumeAt");
  }
}
