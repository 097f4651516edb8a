package io.eventbus.codec;

import io.eventbus.EventDecodingException;
import io.eventbus.EventMetadata;
import io.eventbus.spi.SafeText;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The CloudEvents 1.0 binary-mode mapping between {@link EventMetadata} and message headers, as the
 * CloudEvents AMQP binding names them: {@code cloudEvents:id}, {@code cloudEvents:type} and so on.
 * On reading, the prefix {@code cloudEvents_} is accepted too.
 *
 * <p>Stateless and thread-safe.
 */
public final class CloudEventsAttributes {
  /** The prefix of every attribute header we write. */
  public static final String PREFIX = "cloudEvents:";

  /** The prefix also accepted on reading (the binding's form for transports that forbid ':'). */
  public static final String ALTERNATE_PREFIX = "cloudEvents_";

  /** The one CloudEvents version this mapping writes and reads. */
  public static final String SPEC_VERSION = "1.0";

  public static final String SPECVERSION = PREFIX + "specversion";
  public static final String ID = PREFIX + "id";
  public static final String SOURCE = PREFIX + "source";
  public static final String TYPE = PREFIX + "type";
  public static final String TIME = PREFIX + "time";
  public static final String SUBJECT = PREFIX + "subject";
  public static final String CORRELATION_ID = PREFIX + "correlationid";

  private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]{1,20}");

  /**
   * The attribute name of every standard attribute's header, under either prefix, so that reading
   * them does not cut a new string out of each header name on every delivery.
   */
  private static final Map<String, String> STANDARD_NAMES = standardNames();

  private CloudEventsAttributes() {}

  private static Map<String, String> standardNames() {
    Map<String, String> names = new HashMap<>();
    for (String name :
        new String[] {"specversion", "id", "source", "type", "time", "subject", "correlationid"}) {
      names.put(PREFIX + name, name);
      names.put(ALTERNATE_PREFIX + name, name);
    }
    return Map.copyOf(names);
  }

  /** The attribute headers for {@code metadata}, in a stable order. */
  public static Map<String, String> toHeaders(EventMetadata metadata) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(SPECVERSION, SPEC_VERSION);
    headers.put(ID, metadata.id());
    headers.put(SOURCE, metadata.source());
    headers.put(TYPE, metadata.type());
    headers.put(TIME, Rfc3339.format(metadata.time()));
    if (metadata.subject() != null) {
      headers.put(SUBJECT, metadata.subject());
    }
    if (metadata.correlationId() != null) {
      headers.put(CORRELATION_ID, metadata.correlationId());
    }
    metadata.extensions().forEach((name, value) -> headers.put(PREFIX + name, value));
    return headers;
  }

  /**
   * Reads the metadata from attribute headers written with either prefix. Headers that are not
   * CloudEvents attributes are ignored, and so are extension names that the specification does not
   * allow (they stay in the message's headers).
   *
   * @throws EventDecodingException if {@code specversion} is not {@code 1.0}, or {@code id}, {@code
   *     type}, {@code source} is missing or invalid, or {@code time} is not RFC 3339
   */
  public static EventMetadata fromHeaders(Map<String, String> headers) {
    // One pass, no map for the standard attributes; as before, a later header of the same
    // attribute (under the other prefix) wins.
    String id = null;
    String type = null;
    String specVersion = null;
    String source = null;
    String time = null;
    String subject = null;
    String correlationId = null;
    Map<String, String> attributes = null;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      String standard = STANDARD_NAMES.get(name);
      if (standard != null) {
        switch (standard) {
          case "id" -> id = value;
          case "type" -> type = value;
          case "specversion" -> specVersion = value;
          case "source" -> source = value;
          case "time" -> time = value;
          case "subject" -> subject = value;
          default -> correlationId = value;
        }
        continue;
      }
      String attribute = attributeName(name);
      if (attribute != null
          && EXTENSION_NAME.matcher(attribute).matches()
          && !EventMetadata.RESERVED_NAMES.contains(attribute)) {
        if (attributes == null) {
          attributes = new HashMap<>();
        }
        attributes.put(attribute, value);
      }
    }
    if (!SPEC_VERSION.equals(specVersion)) {
      throw new EventDecodingException(
          id, type, "CloudEvents specversion must be '1.0', was " + quoted(specVersion), null);
    }
    if (id == null || type == null || source == null) {
      throw new EventDecodingException(
          id,
          type,
          "Missing required CloudEvents attribute "
              + (id == null ? "id" : type == null ? "type" : "source"),
          null);
    }
    try {
      return new EventMetadata(
          id,
          type,
          source,
          parseTime(time),
          correlationId,
          subject,
          attributes == null ? Map.of() : attributes);
    } catch (IllegalArgumentException | DateTimeException e) {
      throw new EventDecodingException(
          id, type, "Invalid CloudEvents attribute: " + e.getMessage(), e);
    }
  }

  /**
   * The value of the attribute {@code name} (such as {@code id}) in {@code headers}, under either
   * prefix, without validating it; null if absent. For logs and telemetry before decoding.
   */
  public static @Nullable String attribute(Map<String, String> headers, String name) {
    String value = headers.get(PREFIX + name);
    return value != null ? value : headers.get(ALTERNATE_PREFIX + name);
  }

  /** The attribute name of a header with either prefix, or null for any other header. */
  public static @Nullable String attributeName(String header) {
    if (header.startsWith(PREFIX)) {
      return header.substring(PREFIX.length());
    }
    if (header.startsWith(ALTERNATE_PREFIX)) {
      return header.substring(ALTERNATE_PREFIX.length());
    }
    return null;
  }

  private static Instant parseTime(@Nullable String time) {
    // CloudEvents makes time optional; an event without one is stamped with the epoch rather than
    // the time it happens to be read, so that redeliveries agree.
    return time == null ? Instant.EPOCH : Rfc3339.parse(time);
  }

  private static String quoted(@Nullable String value) {
    return value == null ? "missing" : "'" + SafeText.of(value) + "'";
  }
}
