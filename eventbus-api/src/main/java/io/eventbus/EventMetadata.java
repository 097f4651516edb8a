package io.eventbus;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What travels with every event besides its data: the CloudEvents 1.0 context attributes.
 *
 * @param id unique per event and stable across re-sends and redeliveries: handlers deduplicate on
 *     it
 * @param type the stable type name, for example {@code order.placed.v1}
 * @param source who published it, a URI-reference such as {@code /orders}
 * @param time when it was published
 * @param correlationId the id that ties related events together (for example the order's id), or
 *     null; carried as the {@code correlationid} extension and the AMQP {@code correlation_id}
 * @param subject what the event is about within the source (for example the order id), or null
 * @param extensions further CloudEvents extension attributes: custom headers whose names are 1 to
 *     20 lowercase letters or digits, as the CloudEvents specification requires
 */
public record EventMetadata(
    String id,
    String type,
    String source,
    Instant time,
    @Nullable String correlationId,
    @Nullable String subject,
    Map<String, String> extensions) {

  private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]{1,20}");

  /** Attribute names that extensions may not use: CloudEvents' own and ours. */
  public static final Set<String> RESERVED_NAMES =
      Set.of(
          "specversion",
          "id",
          "type",
          "source",
          "time",
          "subject",
          "datacontenttype",
          "dataschema",
          "data",
          "correlationid");

  /** Validates every attribute and copies {@code extensions}. */
  public EventMetadata {
    requireShortString(id, "id");
    requireShortString(type, "type");
    requireShortString(source, "source");
    Objects.requireNonNull(time, "time");
    if (correlationId != null) {
      requireShortString(correlationId, "correlationId");
    }
    extensions = Map.copyOf(extensions);
    extensions.forEach(
        (name, value) -> {
          String problem = extensionNameProblem(name);
          if (problem != null) {
            throw new IllegalArgumentException(problem);
          }
          Objects.requireNonNull(value, name);
        });
  }

  /** Why {@code name} cannot be an extension attribute's name, or null if it can. */
  static @Nullable String extensionNameProblem(String name) {
    if (!EXTENSION_NAME.matcher(name).matches() || RESERVED_NAMES.contains(name)) {
      return "Extension attribute name '"
          + name
          + "' is invalid: use 1 to 20 lowercase letters or digits, and not one of "
          + RESERVED_NAMES;
    }
    return null;
  }

  /** Metadata with only the required attributes. */
  public static EventMetadata of(String id, String type, String source, Instant time) {
    return new EventMetadata(id, type, source, time, null, null, Map.of());
  }

  /** Fails for null, empty, or longer than an AMQP short string (255 bytes). */
  static String requireShortString(String value, String name) {
    String problem = shortStringProblem(value, name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return value;
  }

  /**
   * Why {@code value} of {@code name} is not 1 to 255 bytes of UTF-8 (an AMQP short string), or
   * null if it is.
   */
  static @Nullable String shortStringProblem(String value, String name) {
    Objects.requireNonNull(value, name);
    int chars = value.length();
    if (chars > 0 && chars <= 85) {
      return null; // at most 3 bytes of UTF-8 per char (a surrogate pair: 4 for 2): within 255
    }
    int length = value.getBytes(StandardCharsets.UTF_8).length;
    return length == 0 || length > 255
        ? name + " must be 1 to 255 bytes of UTF-8, was " + length
        : null;
  }
}
