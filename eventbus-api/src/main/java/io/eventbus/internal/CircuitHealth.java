package io.eventbus.internal;

import io.eventbus.Health;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes a subscription's health with its circuit's view: {@link Health.Status#DEGRADED} (or worse)
 * while the circuit is open or half-open or a back-off lasts, with the reason and when it probes or
 * resumes. A pure function of a {@link Snapshot} of the circuit and the time now.
 */
final class CircuitHealth {
  private CircuitHealth() {}

  /**
   * The circuit at one moment, as its health reports it.
   *
   * @param breaker whether the subscription has a circuit breaker
   * @param state the breaker's state, CLOSED without one
   * @param openings how often the breaker opened
   * @param deferred deliveries that had to wait so far
   * @param held deliveries waiting now
   * @param backoffUntil when the back-off ends, or null if none lasts
   * @param backoffReason why it backs off, in words
   * @param probeAt when the open breaker probes next, or null
   * @param failedCalls failed calls in the breaker's window
   * @param bufferedCalls calls in the breaker's window
   * @param failureRate the window's failure rate in percent, negative if not yet known
   * @param threshold the failure rate that opens the breaker, in percent
   * @param probes the calls a half-open breaker lets through
   */
  record Snapshot(
      boolean breaker,
      State state,
      long openings,
      long deferred,
      int held,
      @Nullable Instant backoffUntil,
      String backoffReason,
      @Nullable Instant probeAt,
      int failedCalls,
      int bufferedCalls,
      float failureRate,
      float threshold,
      int probes) {}

  /** {@code transport}'s view of the subscription, with the circuit's as of {@code now}. */
  static Health.Component of(Health.Component transport, Snapshot circuit, Instant now) {
    State state = circuit.state();
    Map<String, Object> details = new LinkedHashMap<>(transport.details());
    if (circuit.breaker()) {
      details.put("circuitState", state.name());
      details.put("circuitOpenings", circuit.openings());
    }
    if (circuit.breaker() || circuit.deferred() > 0) {
      details.put("deferredDeliveries", circuit.deferred());
    }
    Instant backoffUntil = circuit.backoffUntil();
    if (state == State.CLOSED && backoffUntil == null) {
      return new Health.Component(
          transport.name(), transport.status(), transport.detail(), details);
    }
    StringBuilder reason = new StringBuilder();
    if (backoffUntil != null) {
      reason
          .append("backing off: ")
          .append(circuit.backoffReason())
          .append("; paused, resuming at ")
          .append(backoffUntil)
          .append(" (in ")
          .append(seconds(now, backoffUntil))
          .append(")");
      details.put("resumeAt", backoffUntil.toString());
    }
    if (state == State.OPEN) {
      reason
          .append(reason.length() == 0 ? "" : "; ")
          .append("circuit open: ")
          .append(circuit.failedCalls())
          .append(" of the last ")
          .append(circuit.bufferedCalls())
          .append(" deliveries failed (threshold ")
          .append(percent(circuit.threshold()))
          .append(")");
      Instant probeAt = circuit.probeAt();
      if (probeAt != null) {
        reason
            .append("; paused, probing again at ")
            .append(probeAt)
            .append(" (in ")
            .append(seconds(now, probeAt))
            .append(")");
        details.put("nextProbe", probeAt.toString());
      }
      details.put("failureRate", percent(circuit.failureRate()));
    } else if (state == State.HALF_OPEN) {
      reason
          .append(reason.length() == 0 ? "" : "; ")
          .append("circuit half-open: probing with up to ")
          .append(circuit.probes())
          .append(" deliveries");
    }
    details.put("heldDeliveries", circuit.held());
    if (transport.status() != Health.Status.UP && !transport.detail().isEmpty()) {
      reason.append("; ").append(transport.detail());
    }
    return new Health.Component(
        transport.name(),
        transport.status().worse(Health.Status.DEGRADED),
        reason.toString(),
        details);
  }

  private static String seconds(Instant now, Instant then) {
    long millis = Math.max(0, Duration.between(now, then).toMillis());
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String percent(float rate) {
    return rate < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", rate);
  }
}
