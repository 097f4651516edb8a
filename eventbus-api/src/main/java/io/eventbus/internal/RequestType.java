package io.eventbus.internal;

import io.eventbus.Health;
import io.eventbus.RequestPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What the requesting half keeps per request type: its policy, its circuit breaker and concurrency
 * limit (if the policy asks for them), the requests outstanding, and the health it reports.
 * Thread-safe.
 */
final class RequestType {
  final String name;
  final RequestPolicy policy;
  final @Nullable CircuitBreaker breaker;
  final @Nullable Semaphore limit;
  final AtomicInteger inFlight = new AtomicInteger();

  RequestType(String name, RequestPolicy policy) {
    this.name = name;
    this.policy = policy;
    RequestPolicy.CircuitBreakerSettings settings = policy.circuitBreaker();
    this.breaker = settings == null ? null : Breakers.forRequests(name, settings);
    this.limit = policy.maxConcurrent() > 0 ? new Semaphore(policy.maxConcurrent()) : null;
  }

  int inFlight() {
    return inFlight.get();
  }

  /** The circuit's state in lower case, or null without a breaker. */
  @Nullable String circuitState() {
    return breaker == null ? null : breaker.getState().name().toLowerCase(Locale.ROOT);
  }

  /** Whether the type reports its health: it has a breaker or a limit. */
  boolean watched() {
    return breaker != null || limit != null;
  }

  /** The {@code requests:<type>} health component, for types with a breaker or a limit. */
  Health.Component health() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("inFlight", inFlight.get());
    if (policy.maxConcurrent() > 0) {
      details.put("maxConcurrent", policy.maxConcurrent());
    }
    Health.Status status = Health.Status.UP;
    String detail = "";
    if (breaker != null) {
      CircuitBreaker.State state = breaker.getState();
      CircuitBreaker.Metrics metrics = breaker.getMetrics();
      details.put("circuit", state.name());
      details.put("failureRate", metrics.getFailureRate());
      details.put("bufferedCalls", metrics.getNumberOfBufferedCalls());
      details.put("failedCalls", metrics.getNumberOfFailedCalls());
      details.put("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
      if (state != CircuitBreaker.State.CLOSED && state != CircuitBreaker.State.DISABLED) {
        status = Health.Status.DEGRADED;
        detail = "circuit " + state.name().toLowerCase(Locale.ROOT) + ": requests are refused";
      }
    }
    return new Health.Component("requests:" + name, status, detail, details);
  }
}
