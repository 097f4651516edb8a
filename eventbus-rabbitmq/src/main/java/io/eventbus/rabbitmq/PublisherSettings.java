package io.eventbus.rabbitmq;

import java.time.Duration;
import java.util.Objects;

/**
 * How the transport publishes: deadlines, memory bounds and the handling of refusals. Immutable;
 * start from {@link #defaults()} and derive with the {@code with*} methods.
 *
 * <pre>{@code
 * RabbitTransport.builder()
 *     .publisher(PublisherSettings.defaults().withTimeout(Duration.ofSeconds(5)).withNackRetries(5))
 * }</pre>
 *
 * <p>Memory is bounded twice: events waiting to be sent (while reconnecting, blocked, or when the
 * outstanding window is full) by {@link #maxBufferedEvents()} and {@link #maxBufferedBytes()}, and
 * events sent but not yet confirmed by {@link #maxOutstandingConfirms()}.
 *
 * @param timeout the deadline of every publish, from the call to the confirm, including time spent
 *     waiting in the buffer; past it the publish fails with {@link
 *     io.eventbus.PublishNotConfirmedException}
 * @param maxBufferedEvents how many events may wait to be sent; one more fails at once with {@link
 *     io.eventbus.PublishBufferFullException}
 * @param maxBufferedBytes how many body bytes may wait to be sent
 * @param maxOutstandingConfirms how many events may be sent and unconfirmed at once (the window)
 * @param nackRetries how often an event the broker refused (nack) is sent again before it fails
 * @param nackBackoff the first wait before such a retry; it doubles each time, with jitter
 * @param acceptUnroutable if true, an event no queue is bound for is confirmed like any other and
 *     counted in {@link TransportStatus#unroutableAccepted()}; if false (the default) it fails with
 *     {@link io.eventbus.UnroutableEventException}
 */
public record PublisherSettings(
    Duration timeout,
    int maxBufferedEvents,
    long maxBufferedBytes,
    int maxOutstandingConfirms,
    int nackRetries,
    Duration nackBackoff,
    boolean acceptUnroutable) {
  private static final PublisherSettings DEFAULTS =
      new PublisherSettings(
          Duration.ofSeconds(30),
          10_000,
          64L * 1024 * 1024,
          4_096,
          3,
          Duration.ofMillis(100),
          false);

  /** Validates the values. */
  public PublisherSettings {
    requirePositive(timeout, "timeout");
    requirePositive(nackBackoff, "nackBackoff");
    if (maxBufferedEvents < 1 || maxBufferedBytes < 1 || maxOutstandingConfirms < 1) {
      throw new IllegalArgumentException(
          "maxBufferedEvents, maxBufferedBytes and maxOutstandingConfirms must be positive");
    }
    if (nackRetries < 0) {
      throw new IllegalArgumentException("nackRetries must not be negative, was " + nackRetries);
    }
  }

  /**
   * Timeout 30 s, up to 10,000 events and 64 MiB buffered, 4,096 outstanding confirms, 3 retries
   * after a nack starting at 100 ms, unroutable events fail.
   */
  public static PublisherSettings defaults() {
    return DEFAULTS;
  }

  public PublisherSettings withTimeout(Duration timeout) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withMaxBufferedEvents(int maxBufferedEvents) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withMaxBufferedBytes(long maxBufferedBytes) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withMaxOutstandingConfirms(int maxOutstandingConfirms) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withNackRetries(int nackRetries) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withNackBackoff(Duration nackBackoff) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  public PublisherSettings withAcceptUnroutable(boolean acceptUnroutable) {
    return new PublisherSettings(
        timeout,
        maxBufferedEvents,
        maxBufferedBytes,
        maxOutstandingConfirms,
        nackRetries,
        nackBackoff,
        acceptUnroutable);
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
