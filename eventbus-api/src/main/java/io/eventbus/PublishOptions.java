package io.eventbus;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Per-publish choices: an id of your own (to make re-publishing idempotent), a correlation id, a
 * subject and custom headers (CloudEvents extensions). Immutable and validated when made; start
 * from {@link #none()} and derive with the {@code with*} methods.
 *
 * <pre>{@code
 * bus.publish(order, PublishOptions.none().withCorrelationId(order.orderId()));
 * }</pre>
 *
 * <p>Making options throws {@link EventBusConfigurationException} naming the option when an id is
 * empty or over 255 bytes, or an extension's name is not 1 to 20 lowercase letters or digits or is
 * reserved.
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

  /** Validates every option and copies {@code extensions}. */
  public PublishOptions {
    if (id != null) {
      requireShortString(id, "id");
    }
    if (correlationId != null) {
      requireShortString(correlationId, "correlationId");
    }
    extensions = Map.copyOf(extensions);
    extensions.forEach(
        (name, value) -> {
          String problem = EventMetadata.extensionNameProblem(name);
          if (problem != null) {
            throw new EventBusConfigurationException("extensions", "extensions: " + problem);
          }
        });
  }

  /** No options: a fresh id and no optional attributes. */
  public static PublishOptions none() {
    return NONE;
  }

  /** A copy with the given event id (1 to 255 bytes). */
  public PublishOptions withId(String id) {
    return new PublishOptions(Objects.requireNonNull(id, "id"), correlationId, subject, extensions);
  }

  /** A copy with the given correlation id (1 to 255 bytes). */
  public PublishOptions withCorrelationId(String correlationId) {
    return new PublishOptions(
        id, Objects.requireNonNull(correlationId, "correlationId"), subject, extensions);
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
    Map<String, String> copy = new HashMap<>(extensions);
    copy.put(name, value);
    return new PublishOptions(id, correlationId, subject, copy);
  }

  private static void requireShortString(String value, String option) {
    String problem = EventMetadata.shortStringProblem(value, option);
    if (problem != null) {
      throw new EventBusConfigurationException(option, problem);
    }
  }
}
