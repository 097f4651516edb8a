package io.eventbus.jdbc.internal;

import org.jspecify.annotations.Nullable;

/**
 * An unsent row as the relay reads it.
 *
 * @param position its place in the outbox
 * @param eventId the event id
 * @param eventType its type name
 * @param contentType the body's media type
 * @param headersJson the headers as stored
 * @param body the encoded body
 * @param attempts failed attempts so far
 */
public record StoredRow(
    long position,
    String eventId,
    String eventType,
    @Nullable String contentType,
    String headersJson,
    byte[] body,
    int attempts) {}
