package io.eventbus;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a handler when a dependency it needs refuses calls for now (its own circuit breaker is
 * open, it answered "429, retry after 10 s", it is in maintenance): the event is neither retried at
 * once nor redelivered nor dead-lettered. The subscription backs off instead: it stops consuming
 * for {@link #retryAfter()} (or, if that is unknown, the subscription's circuit breaker's {@link
 * CircuitBreakerPolicy#openDuration()}, or 5 s), keeps the event, and handles it again afterwards,
 * with the same attempt number.
 *
 * <pre>{@code
 * @EventHandler
 * void on(PaymentRequested event) {
 *   if (gateway.isInMaintenance()) {
 *     throw new DependencyUnavailableException("payment-gateway", Duration.ofSeconds(30), null);
 *   }
 *   gateway.charge(event.orderId(), event.amount());
 * }
 * }</pre>
 *
 * <p>resilience4j's {@code CallNotPermittedException}, thrown by a breaker the handler calls
 * through, means the same and needs no wrapping; so do the types given to {@link
 * RetryPolicy.Builder#dependencyUnavailable}. A handler that always throws it keeps its event (and
 * its subscription) waiting for ever: throw it only while the dependency is really unavailable.
 */
public class DependencyUnavailableException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final String dependency;
  private final @Nullable Duration retryAfter;

  /**
   * @param dependency the dependency's name, for logs and health ("payment-gateway")
   * @param retryAfter when to try again, or null if unknown
   * @param cause what the dependency answered, if anything
   */
  public DependencyUnavailableException(
      String dependency, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(
        "Dependency "
            + Objects.requireNonNull(dependency, "dependency")
            + " is unavailable"
            + (retryAfter == null ? "" : "; retry after " + retryAfter),
        cause);
    if (retryAfter != null && (retryAfter.isNegative() || retryAfter.isZero())) {
      throw new IllegalArgumentException("retryAfter must be positive, was " + retryAfter);
    }
    this.dependency = dependency;
    this.retryAfter = retryAfter;
  }

  /** The unavailable dependency's name. */
  public String dependency() {
    return dependency;
  }

  /** When to try again, or null if the dependency did not say. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
