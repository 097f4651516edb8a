package io.eventbus.internal;

import io.eventbus.RequestException;
import io.eventbus.RequestException.Reason;
import io.eventbus.RequestPolicy;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a failed request: with its policy's fallback value where the policy has one, the
 * failure allows one (an invalid request never falls back) and the value is a reply of the class
 * asked for; otherwise with the failure, carrying what went wrong with the fallback as suppressed
 * exceptions. Stateless.
 */
final class RequestFallback {
  private static final Logger log = LoggerFactory.getLogger(RequestFallback.class);

  private RequestFallback() {}

  /** Whether {@code policy} answers {@code failure} with its fallback (if the fallback works). */
  static boolean applies(RequestPolicy policy, RequestException failure) {
    return policy.fallback() != null && failure.reason() != Reason.INVALID_REQUEST;
  }

  /** Fails {@code result} with {@code failure}, or completes it with the policy's fallback. */
  static <R> void complete(
      RequestPolicy policy,
      Class<R> replyClass,
      CompletableFuture<R> result,
      RequestException failure) {
    var fallback = policy.fallback();
    Class<?> fallbackClass = policy.fallbackClass();
    if (fallback == null || fallbackClass == null || failure.reason() == Reason.INVALID_REQUEST) {
      result.completeExceptionally(failure);
      return;
    }
    Object value;
    try {
      value = fallback.apply(failure);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
      result.completeExceptionally(failure);
      return;
    }
    if (!replyClass.isInstance(value)) {
      failure.addSuppressed(
          new IllegalStateException(
              "The fallback of "
                  + failure.requestType()
                  + " returned "
                  + (value == null ? "null" : value.getClass().getName())
                  + ", not a "
                  + replyClass.getName()));
      result.completeExceptionally(failure);
      return;
    }
    log.debug(
        "Request {} ({}) answered by its fallback after {}",
        failure.requestId(),
        failure.requestType(),
        failure.reason());
    result.complete(replyClass.cast(value));
  }
}
