package io.eventbus;

/**
 * Marks an exception as permanent: an event whose handler throws it is not retried, neither in
 * process nor by delayed redelivery, but parked in the dead-letter queue after that one attempt.
 *
 * <pre>{@code
 * final class InvalidOrderException extends RuntimeException implements NonRetryable { ... }
 * }</pre>
 *
 * <p>To mark exception types you do not own, list them in {@link
 * RetryPolicy.Builder#nonRetryable(Class[])} instead.
 */
public interface NonRetryable {}
