package io.eventbus;

/**
 * Proof that the broker took responsibility for an event: it was confirmed and routed to at least
 * one queue.
 *
 * @param eventId the published event's id
 * @param eventType its type name
 */
public record PublishReceipt(String eventId, String eventType) {}
