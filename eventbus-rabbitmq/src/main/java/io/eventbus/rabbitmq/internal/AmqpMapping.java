package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.codec.WireMessage;
import io.eventbus.rabbitmq.RabbitTopology;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@link WireMessage} ↔ AMQP 0-9-1 message, as docs/wire-format.md specifies: the CloudEvents
 * attributes travel as {@code cloudEvents:*} headers and are mirrored in the basic properties.
 */
public final class AmqpMapping {
  /** AMQP's persistent delivery mode. */
  static final int PERSISTENT = 2;

  /** The CloudEvents partitioning extension's header. */
  static final String PARTITION_KEY = CloudEventsAttributes.PREFIX + "partitionkey";

  private AmqpMapping() {}

  /** The basic properties of a message carrying {@code message}. */
  public static AMQP.BasicProperties properties(WireMessage message) {
    return properties(message, message.headers());
  }

  /**
   * The basic properties of a message carrying {@code message} on {@code topology}: a message with
   * a {@code cloudEvents:partitionkey} also gets its partition number in {@value
   * RabbitTopology#PARTITION_HEADER}.
   */
  public static AMQP.BasicProperties properties(WireMessage message, RabbitTopology topology) {
    String key = message.headers().get(PARTITION_KEY);
    if (key == null) {
      return properties(message);
    }
    Map<String, String> headers = new LinkedHashMap<>(message.headers());
    headers.put(RabbitTopology.PARTITION_HEADER, Integer.toString(topology.partitionOf(key)));
    return properties(message, headers);
  }

  private static AMQP.BasicProperties properties(WireMessage message, Map<String, String> headers) {
    return new AMQP.BasicProperties.Builder()
        .contentType(message.contentType())
        .deliveryMode(PERSISTENT)
        .messageId(headers.get(CloudEventsAttributes.ID))
        .type(headers.get(CloudEventsAttributes.TYPE))
        .appId(headers.get(CloudEventsAttributes.SOURCE))
        .correlationId(headers.get(CloudEventsAttributes.CORRELATION_ID))
        .timestamp(timestamp(headers.get(CloudEventsAttributes.TIME)))
        .headers(asObjects(headers))
        .build();
  }

  /**
   * {@code headers} as amqp-client's header type, without a copy or a view: {@code BasicProperties}
   * copies the map it is given into a map of its own, and never writes to it.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> asObjects(Map<String, String> headers) {
    return (Map<String, Object>) (Map<String, ?>) headers;
  }

  /**
   * The wire message of a received AMQP message. Header values become strings: long strings and
   * byte arrays (field type {@code x}, which some clients use for strings) as UTF-8, numbers,
   * booleans and timestamps as text; list and table values (such as the broker's {@code x-death})
   * are not carried over, but a dead-lettered copy keeps them since it is built from the raw
   * properties.
   */
  public static WireMessage wireMessage(AMQP.BasicProperties properties, byte[] body) {
    Map<String, Object> raw = properties.getHeaders();
    if (raw == null || raw.isEmpty()) {
      return new WireMessage(body, properties.getContentType(), Map.of());
    }
    // Built immutable at once: WireMessage keeps an immutable map as it is, so this is the only
    // copy.
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] entries = new Map.Entry[raw.size()];
    int count = 0;
    for (Map.Entry<String, Object> header : raw.entrySet()) {
      String text = text(header.getValue());
      if (text != null) {
        entries[count++] = Map.entry(header.getKey(), text);
      }
    }
    return new WireMessage(
        body,
        properties.getContentType(),
        Map.ofEntries(count == entries.length ? entries : Arrays.copyOf(entries, count)));
  }

  private static @Nullable String text(@Nullable Object value) {
    if (value instanceof LongString longString) {
      return new String(longString.getBytes(), StandardCharsets.UTF_8);
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Character) {
      return value.toString();
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    return null;
  }

  /**
   * The AMQP timestamp (whole seconds) of an RFC 3339 time. Events published in the same second
   * share the parse: the last one is remembered.
   */
  private static @Nullable Date timestamp(@Nullable String time) {
    if (time == null) {
      return null;
    }
    LastTimestamp last = lastTimestamp;
    if (time.length() >= SECONDS_PREFIX
        && time.endsWith("Z")
        && time.regionMatches(0, last.prefix, 0, SECONDS_PREFIX)) {
      return new Date(last.date.getTime());
    }
    try {
      Date date = Date.from(OffsetDateTime.parse(time).toInstant().truncatedTo(ChronoUnit.SECONDS));
      if (time.length() >= SECONDS_PREFIX && time.endsWith("Z")) {
        lastTimestamp = new LastTimestamp(time.substring(0, SECONDS_PREFIX), date);
      }
      return date;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {@code yyyy-MM-ddTHH:mm:ss}: what a UTC time shares with others of the same second. */
  private static final int SECONDS_PREFIX = 19;

  private static volatile LastTimestamp lastTimestamp = new LastTimestamp("", new Date(0));

  private record LastTimestamp(String prefix, Date date) {}
}
