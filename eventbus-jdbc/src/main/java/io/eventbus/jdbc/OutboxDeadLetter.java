package io.eventbus.jdbc;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A row the relay parked: it could not be turned into a message, or the broker refused it for good
 * (for example unroutable: no queue is bound for its type). Replay it with {@link
 * Outbox#replay(long)} once the cause is fixed, or drop it with {@link Outbox#discard(long)}.
 *
 * @param position its former place in the outbox (its key in the dead-letter table)
 * @param eventId the event id
 * @param eventType its type name
 * @param partitionKey its partition key, or null
 * @param createdAt when it was stored
 * @param parkedAt when it was parked
 * @param attempts how often the relay tried it
 * @param reason why it was parked, in words
 * @param errorType the class of the exception that parked it, or null
 */
public record OutboxDeadLetter(
    long position,
    String eventId,
    String eventType,
    @Nullable String partitionKey,
    Instant createdAt,
    Instant parkedAt,
    int attempts,
    String reason,
    @Nullable String errorType) {}
