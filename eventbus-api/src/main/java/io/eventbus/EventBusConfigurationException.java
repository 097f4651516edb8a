package io.eventbus;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at registration or build time for a setup mistake: an invalid setting, a duplicate type
 * name, a malformed handler method. The message names the culprit (setting, class or method); for
 * an invalid setting, {@link #setting()} names it too.
 *
 * <pre>{@code
 * try {
 *   SubscriptionOptions.builder("orders").concurrency(0).build();
 * } catch (EventBusConfigurationException e) {
 *   e.setting();   // "concurrency"
 *   e.getMessage(); // "concurrency must be between 1 and 256, was 0"
 * }
 * }</pre>
 */
public final class EventBusConfigurationException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String setting;

  /** A mistake that is not one setting's, such as a type name registered twice. */
  public EventBusConfigurationException(String message) {
    super(message);
    this.setting = null;
  }

  /** An invalid value of {@code setting}; {@code message} explains, starting with its name. */
  public EventBusConfigurationException(String setting, String message) {
    super(message);
    this.setting = setting;
  }

  /**
   * {@code "<setting> <rule>, was <value>"}: the usual message for a value out of its range.
   *
   * @param setting the setting's name as its builder method spells it, such as {@code prefetch}
   * @param rule what a valid value is, such as {@code "must be between 1 and 65535"}
   * @param value the value given
   */
  public static EventBusConfigurationException invalid(
      String setting, String rule, @Nullable Object value) {
    return new EventBusConfigurationException(setting, setting + " " + rule + ", was " + value);
  }

  /** The invalid setting, as its builder method is named; null for other mistakes. */
  public @Nullable String setting() {
    return setting;
  }
}
