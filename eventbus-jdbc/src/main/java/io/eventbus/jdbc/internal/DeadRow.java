package io.eventbus.jdbc.internal;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A parked row as the dead-letter listing reads it. */
public record DeadRow(
    long position,
    String eventId,
    String eventType,
    @Nullable String partitionKey,
    Instant createdAt,
    Instant parkedAt,
    int attempts,
    String reason,
    @Nullable String errorType) {}
