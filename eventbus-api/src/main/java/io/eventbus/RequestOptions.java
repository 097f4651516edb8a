package io.eventbus;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Per-call options of a request: its deadline (as a timeout from the call) and a correlation id.
 * Without a timeout, the request type's {@link RequestPolicy#timeout()} applies.
 *
 * <pre>{@code
 * bus.request(new CheckCustomer("c-1"), CustomerStatus.class,
 *     RequestOptions.timeout(Duration.ofMillis(300)));
 * }</pre>
 *
 * @param timeout how long after the call the request's deadline is, or null for the policy's
 * @param correlationId the CloudEvents {@code correlationid} of the request (a conversation id), or
 *     null
 */
public record RequestOptions(@Nullable Duration timeout, @Nullable String correlationId) {
  private static final RequestOptions DEFAULTS = new RequestOptions(null, null);

  /**
   * Checks the timeout.
   *
   * @throws EventBusConfigurationException if the timeout is zero or negative
   */
  public RequestOptions {
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw EventBusConfigurationException.invalid("timeout", "must be positive", timeout);
    }
  }

  /** The policy's timeout, no correlation id. */
  public static RequestOptions defaults() {
    return DEFAULTS;
  }

  /** A deadline {@code timeout} after the call. */
  public static RequestOptions timeout(Duration timeout) {
    return new RequestOptions(Objects.requireNonNull(timeout, "timeout"), null);
  }

  /** A copy with another timeout. */
  public RequestOptions withTimeout(Duration timeout) {
    return new RequestOptions(Objects.requireNonNull(timeout, "timeout"), correlationId);
  }

  /** A copy with a correlation id. */
  public RequestOptions withCorrelationId(String correlationId) {
    return new RequestOptions(timeout, Objects.requireNonNull(correlationId, "correlationId"));
  }
}
