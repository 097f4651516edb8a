package io.eventbus.jdbc;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What an outbox knows about itself: the table as last sampled (every few seconds, in the
 * background) and this process's relay.
 *
 * @param unsent rows waiting to be sent, by all relays of the table
 * @param oldestUnsentAge how long the oldest unsent row has waited (zero if none), by the
 *     database's clock
 * @param deadLettered rows parked in the dead-letter table
 * @param relayed rows this process's relay sent and marked since it started
 * @param relayLag how long the rows of this relay's last batch waited, from insert to the mark
 *     after the broker's confirm (the longest of the batch), by the database's clock
 * @param relayThreads this process's relay threads (0: it only stores)
 * @param lastError the last failure of the relay or the sampler, if the latest attempt failed
 * @param sampleAge how long ago the table was last sampled successfully, or null if never
 */
public record OutboxStatus(
    long unsent,
    Duration oldestUnsentAge,
    long deadLettered,
    long relayed,
    Duration relayLag,
    int relayThreads,
    @Nullable String lastError,
    @Nullable Duration sampleAge) {}
