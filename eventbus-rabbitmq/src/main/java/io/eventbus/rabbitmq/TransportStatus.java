package io.eventbus.rabbitmq;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the transport's state, cheap enough to read on every readiness probe.
 *
 * @param publishing the publishing connection's state
 * @param consuming the consuming connection's state
 * @param bufferedEvents events waiting to be sent
 * @param bufferedBytes their body bytes
 * @param outstandingConfirms events sent and not yet confirmed
 * @param resentAfterRecovery events sent again after a lost connection, since the start
 * @param nackRetries events sent again after a negative confirm, since the start
 * @param topologyResends events the broker returned as unroutable although a subscription of this
 *     transport is bound for their type (its binding or queue was missing), sent again after the
 *     exchange and the subscriptions' queues and bindings were declared again, since the start
 * @param unroutableAccepted events published that no queue was bound for, accepted (see {@link
 *     PublisherSettings#failUnroutable()}), since the start
 * @param unroutableByType the same by event type, sorted by type (at most {@value
 *     io.eventbus.spi.UnroutableEvents#MAX_TYPES} types, then {@code "(other)"})
 * @param recoveries connections re-established after a loss, both connections, since the start
 */
public record TransportStatus(
    ConnectionState publishing,
    ConnectionState consuming,
    int bufferedEvents,
    long bufferedBytes,
    int outstandingConfirms,
    long resentAfterRecovery,
    long nackRetries,
    long topologyResends,
    long unroutableAccepted,
    Map<String, Long> unroutableByType,
    long recoveries) {
  /** Copies the map. */
  public TransportStatus {
    unroutableByType = Collections.unmodifiableMap(new TreeMap<>(unroutableByType));
  }
}
