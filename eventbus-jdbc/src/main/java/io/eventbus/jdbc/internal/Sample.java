package io.eventbus.jdbc.internal;

import java.time.Duration;

/**
 * The outbox's state at one moment.
 *
 * @param unsent rows waiting to be sent
 * @param oldestUnsentAge how long the oldest of them has waited (zero if none)
 * @param parked rows in the dead-letter table
 */
public record Sample(long unsent, Duration oldestUnsentAge, long parked) {}
