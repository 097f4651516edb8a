package io.eventbus.jdbc;

/**
 * An event stored in the outbox, to be sent when (and if) the transaction commits.
 *
 * @param eventId the event's id, as handlers will see it
 * @param eventType its type name
 * @param position its row's place in the outbox
 */
public record StoredEvent(String eventId, String eventType, long position) {}
