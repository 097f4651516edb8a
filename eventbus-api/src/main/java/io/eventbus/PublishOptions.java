package io.eventbus;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Per-publish choices: an id of your own (to make re-publishing idempotent), a correlation id, a
 * subject and custom headers (CloudEvents extensions). Immutable; start from {@link #none()} and
 * derive with the {@code with*} methods.
 *
 * <pre>{@code
 * bus.publish(order, PublishOptions.none().withCorrelationId(order.orderId()));
 * }</pre>
 *
 * @param id the event id to use, or null for a fresh random UUID
 * @param correlationId see {@link EventMetadata#correlationId()}
 * @param subject see {@link EventMetadata#subject()}
 * @param extensions see {@link EventMetadata#extensions()}
 */
public record PublishOptions(
    @Nullable String id,
    @Nullable String correlationId,
    @Nullable String subject,
    Map<String, String> extensions) {
  private static final PublishOptions NONE = new PublishOptions(null, null, null, Map.of());

  /** Copies {@code extensions}; names and values are validated when the event is published. */
  public PublishOptions {
    extensions = Map.copyOf(extensions);
  }

  /** No options: a fresh id and no optional attributes. */
  public static PublishOptions none() {
    return NONE;
  }

  /** A copy with the given event id (1 to 255 bytes). */
  public PublishOptions withId(String id) {
    return new PublishOptions(
        EventMetadata.requireShortString(id, "id"), correlationId, subject, extensions);
  }

  /** A copy with the given correlation id (1 to 255 bytes). */
  public PublishOptions withCorrelationId(String correlationId) {
    return new PublishOptions(
        id, EventMetadata.requireShortString(correlationId, "correlationId"), subject, extensions);
  }

  /** A copy with the given subject. */
  public PublishOptions withSubject(String subject) {
    return new PublishOptions(
        id, correlationId, Objects.requireNonNull(subject, "subject"), extensions);
  }

  /** A copy with one more extension attribute (replacing one of the same name). */
  public PublishOptions withExtension(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    var copy = new java.util.HashMap<>(extensions);
    copy.put(name, value);
    return new PublishOptions(id, correlationId, subject, copy);
  }
}
