package io.eventbus.jdbc.internal;

import org.jspecify.annotations.Nullable;

/**
 * A row to insert into the outbox.
 *
 * @param eventId the event id
 * @param eventType its type name
 * @param partitionKey its partition key, or null
 * @param bucket which relay bucket it belongs to
 * @param keyLock the lock that orders stores of one partition key (a hash of the key)
 * @param contentType the body's media type
 * @param headersJson the message headers as a JSON object of strings
 * @param body the encoded body
 */
public record NewRow(
    String eventId,
    String eventType,
    @Nullable String partitionKey,
    int bucket,
    int keyLock,
    @Nullable String contentType,
    String headersJson,
    byte[] body) {}
