package io.eventbus.rabbitmq;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.internal.SettingChecks;
import java.time.Duration;
import java.util.Objects;

/**
 * How the transport publishes: deadlines, memory bounds and the handling of refusals. An immutable
 * value, validated when it is made; start from {@link #defaults()} or {@link #builder()}, derive
 * with {@link #toBuilder()} or a {@code with*} copy.
 *
 * <pre>{@code
 * RabbitTransport.builder()
 *     .publisher(PublisherSettings.builder().timeout(Duration.ofSeconds(5)).nackRetries(5).build())
 * }</pre>
 *
 * <p>Memory is bounded twice: events waiting to be sent (while reconnecting, blocked, or when the
 * outstanding window is full) by {@link #maxBufferedEvents()} and {@link #maxBufferedBytes()}, and
 * events sent but not yet confirmed by {@link #maxOutstandingConfirms()}.
 *
 * <h2>Thread safety</h2>
 *
 * Immutable and thread-safe; the {@link Builder} is not.
 *
 * <h2>Failures</h2>
 *
 * A value out of range throws {@link EventBusConfigurationException} naming the setting, when the
 * value is made ({@link Builder#build()}, a {@code with*} copy or the constructor); a null throws
 * {@link NullPointerException} naming it.
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
 * @param failUnroutable the strict mode: if true, an event no queue is bound for fails with {@link
 *     io.eventbus.UnroutableEventException}; if false (the default) its publish completes normally,
 *     as in any publish/subscribe system where nobody listens yet, and it stays visible: counted by
 *     type in {@link TransportStatus#unroutableByType()}, the health details and the metric {@code
 *     eventbus.publisher.unroutable_accepted}, and logged at WARN for the first of each type.
 *     Dead-letter and retry copies fail when unroutable whatever this says. An event of a type that
 *     a subscription of the same transport is bound for is not judged at once: its return means a
 *     binding or queue is missing (deleted, or an exchange declared again without them), so the
 *     transport declares the exchange and its subscriptions' queues and bindings again and sends
 *     the event again, up to twice (counted in {@link TransportStatus#topologyResends()}), before
 *     this setting applies
 * @param maxMessageBytes the largest body that may be published; a larger one fails at once, before
 *     anything is sent, with {@link io.eventbus.EventTooLargeException}. At most {@value
 *     #MAX_MESSAGE_BYTES_LIMIT} (RabbitMQ 3.x accepts bodies up to 128 MiB by default, 4.x 16 MiB;
 *     very large messages strain quorum queues); a body over {@link #maxBufferedBytes()} fails the
 *     same way, naming that setting
 */
public record PublisherSettings(
    Duration timeout,
    int maxBufferedEvents,
    long maxBufferedBytes,
    int maxOutstandingConfirms,
    int nackRetries,
    Duration nackBackoff,
    boolean failUnroutable,
    int maxMessageBytes) {
  /** The largest {@link #maxMessageBytes()} allowed: 64 MiB. */
  public static final int MAX_MESSAGE_BYTES_LIMIT = 64 * 1024 * 1024;

  private static final PublisherSettings DEFAULTS = new Builder().build();

  /** Validates the values (see "Failures"). */
  public PublisherSettings {
    SettingChecks.positive(timeout, "PublisherSettings.timeout");
    SettingChecks.positive(nackBackoff, "PublisherSettings.nackBackoff");
    SettingChecks.atLeast(maxBufferedEvents, 1, "PublisherSettings.maxBufferedEvents");
    SettingChecks.atLeast(maxBufferedBytes, 1, "PublisherSettings.maxBufferedBytes");
    SettingChecks.atLeast(maxOutstandingConfirms, 1, "PublisherSettings.maxOutstandingConfirms");
    SettingChecks.atLeast(nackRetries, 0, "PublisherSettings.nackRetries");
    SettingChecks.between(
        maxMessageBytes, 1, MAX_MESSAGE_BYTES_LIMIT, "PublisherSettings.maxMessageBytes");
  }

  /**
   * Timeout 30 s, up to 10,000 events and 64 MiB buffered, 4,096 outstanding confirms, 3 retries
   * after a nack starting at 100 ms, unroutable events accepted and counted, bodies up to 4 MiB
   * (the default decoding limit of {@link io.eventbus.codec.JacksonEventCodec}).
   */
  public static PublisherSettings defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder()
        .timeout(timeout)
        .maxBufferedEvents(maxBufferedEvents)
        .maxBufferedBytes(maxBufferedBytes)
        .maxOutstandingConfirms(maxOutstandingConfirms)
        .nackRetries(nackRetries)
        .nackBackoff(nackBackoff)
        .failUnroutable(failUnroutable)
        .maxMessageBytes(maxMessageBytes);
  }

  /** A copy with another {@link #timeout()}. */
  public PublisherSettings withTimeout(Duration timeout) {
    return toBuilder().timeout(timeout).build();
  }

  /** A copy with another {@link #maxBufferedEvents()}. */
  public PublisherSettings withMaxBufferedEvents(int maxBufferedEvents) {
    return toBuilder().maxBufferedEvents(maxBufferedEvents).build();
  }

  /** A copy with another {@link #maxBufferedBytes()}. */
  public PublisherSettings withMaxBufferedBytes(long maxBufferedBytes) {
    return toBuilder().maxBufferedBytes(maxBufferedBytes).build();
  }

  /** A copy with another {@link #maxOutstandingConfirms()}. */
  public PublisherSettings withMaxOutstandingConfirms(int maxOutstandingConfirms) {
    return toBuilder().maxOutstandingConfirms(maxOutstandingConfirms).build();
  }

  /** A copy with another {@link #nackRetries()}. */
  public PublisherSettings withNackRetries(int nackRetries) {
    return toBuilder().nackRetries(nackRetries).build();
  }

  /** A copy with another {@link #nackBackoff()}. */
  public PublisherSettings withNackBackoff(Duration nackBackoff) {
    return toBuilder().nackBackoff(nackBackoff).build();
  }

  /** A copy with another {@link #failUnroutable()}. */
  public PublisherSettings withFailUnroutable(boolean failUnroutable) {
    return toBuilder().failUnroutable(failUnroutable).build();
  }

  /** A copy with another {@link #maxMessageBytes()}. */
  public PublisherSettings withMaxMessageBytes(int maxMessageBytes) {
    return toBuilder().maxMessageBytes(maxMessageBytes).build();
  }

  /**
   * Collects publisher settings; {@link #build()} validates them and makes the value. Not
   * thread-safe.
   */
  public static final class Builder {
    private Duration timeout = Duration.ofSeconds(30);
    private int maxBufferedEvents = 10_000;
    private long maxBufferedBytes = 64L * 1024 * 1024;
    private int maxOutstandingConfirms = 4_096;
    private int nackRetries = 3;
    private Duration nackBackoff = Duration.ofMillis(100);
    private boolean failUnroutable;
    private int maxMessageBytes = 4 * 1024 * 1024;

    private Builder() {}

    /** See {@link PublisherSettings#timeout()} (positive; default 30 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** See {@link PublisherSettings#maxBufferedEvents()} (at least 1; default 10,000). */
    public Builder maxBufferedEvents(int maxBufferedEvents) {
      this.maxBufferedEvents = maxBufferedEvents;
      return this;
    }

    /** See {@link PublisherSettings#maxBufferedBytes()} (at least 1; default 64 MiB). */
    public Builder maxBufferedBytes(long maxBufferedBytes) {
      this.maxBufferedBytes = maxBufferedBytes;
      return this;
    }

    /** See {@link PublisherSettings#maxOutstandingConfirms()} (at least 1; default 4,096). */
    public Builder maxOutstandingConfirms(int maxOutstandingConfirms) {
      this.maxOutstandingConfirms = maxOutstandingConfirms;
      return this;
    }

    /** See {@link PublisherSettings#nackRetries()} (0 or more; default 3). */
    public Builder nackRetries(int nackRetries) {
      this.nackRetries = nackRetries;
      return this;
    }

    /** See {@link PublisherSettings#nackBackoff()} (positive; default 100 ms). */
    public Builder nackBackoff(Duration nackBackoff) {
      this.nackBackoff = Objects.requireNonNull(nackBackoff, "nackBackoff");
      return this;
    }

    /** See {@link PublisherSettings#failUnroutable()} (default false: accept and count). */
    public Builder failUnroutable(boolean failUnroutable) {
      this.failUnroutable = failUnroutable;
      return this;
    }

    /** See {@link PublisherSettings#maxMessageBytes()} (1 to 64 MiB; default 4 MiB). */
    public Builder maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws EventBusConfigurationException naming the first setting out of range
     */
    public PublisherSettings build() {
      return new PublisherSettings(
          timeout,
          maxBufferedEvents,
          maxBufferedBytes,
          maxOutstandingConfirms,
          nackRetries,
          nackBackoff,
          failUnroutable,
          maxMessageBytes);
    }
  }
}
