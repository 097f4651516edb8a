package io.eventbus.internal;

import io.eventbus.DependencyUnavailableException;
import io.eventbus.RequestException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.time.Duration;

/**
 * Reads what a failure says about an unavailable dependency: how long to back off, and in which
 * words to report it. Looks through at most ten causes.
 */
final class DependencyFailures {
  private static final int MAX_DEPTH = 10;

  private DependencyFailures() {}

  /** The retry-after {@code failure} asks for, or {@code fallback}. */
  static Duration retryAfter(Throwable failure, Duration fallback) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
      if (cause instanceof DependencyUnavailableException unavailable
          && unavailable.retryAfter() != null) {
        return unavailable.retryAfter();
      }
    }
    return fallback;
  }

  /**
   * What refused the call, in words: names given by the application (a dependency's, a breaker's)
   * and exception types, never messages, which may quote payloads.
   */
  static String describe(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
      if (cause instanceof DependencyUnavailableException unavailable) {
        return "dependency " + unavailable.dependency() + " unavailable";
      }
      if (cause instanceof CallNotPermittedException refused) {
        return "circuit breaker " + refused.getCausingCircuitBreakerName() + " refused the call";
      }
      if (cause instanceof RequestException refused
          && refused.reason() == RequestException.Reason.CIRCUIT_OPEN) {
        return "the circuit breaker of requests " + refused.requestType() + " refused the request";
      }
    }
    return "dependency unavailable (" + failure.getClass().getName() + ")";
  }
}
