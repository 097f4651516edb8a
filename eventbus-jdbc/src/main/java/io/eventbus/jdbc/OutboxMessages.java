package io.eventbus.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.jdbc.internal.NewRow;
import io.eventbus.jdbc.internal.StoredRow;
import io.eventbus.spi.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/** Messages to rows and back: the headers as a JSON object of strings, the body as it is. */
final class OutboxMessages {
  /** How many relay buckets a table has: the most relay threads that can work at once. */
  static final int BUCKETS = 32;

  static final String PARTITION_KEY = CloudEventsAttributes.PREFIX + "partitionkey";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> HEADERS =
      new TypeReference<>() {};

  private OutboxMessages() {}

  static NewRow row(OutboundMessage message) {
    WireMessage wire = message.message();
    @Nullable String key = wire.headers().get(PARTITION_KEY);
    String headers;
    try {
      headers = JSON.writeValueAsString(wire.headers());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Headers of " + message.eventId() + " are not JSON", e);
    }
    int hash = crc(key != null ? key : message.eventId());
    return new NewRow(
        message.eventId(),
        message.eventType(),
        key,
        Math.floorMod(hash, BUCKETS),
        hash,
        wire.contentType(),
        headers,
        wire.body());
  }

  /**
   * The message a row holds.
   *
   * @throws IllegalArgumentException if the row is not a valid message (its headers are not a JSON
   *     object of strings, or an attribute is missing)
   */
  static OutboundMessage message(StoredRow row) {
    Map<String, String> headers;
    try {
      JsonNode tree = JSON.readTree(row.headersJson());
      if (tree == null || !tree.isObject()) {
        throw new IllegalArgumentException("its headers are not a JSON object");
      }
      for (Map.Entry<String, JsonNode> field : tree.properties()) {
        if (!field.getValue().isTextual()) {
          throw new IllegalArgumentException("its header '" + field.getKey() + "' is not a string");
        }
      }
      headers = JSON.convertValue(tree, HEADERS);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("its headers are not JSON: " + e.getOriginalMessage(), e);
    }
    if (!row.eventId().equals(headers.get(CloudEventsAttributes.ID))
        || !row.eventType().equals(headers.get(CloudEventsAttributes.TYPE))) {
      throw new IllegalArgumentException(
          "its headers do not carry its event id and type as CloudEvents attributes");
    }
    return new OutboundMessage(
        row.eventId(), row.eventType(), new WireMessage(row.body(), row.contentType(), headers));
  }

  private static int crc(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }
}
