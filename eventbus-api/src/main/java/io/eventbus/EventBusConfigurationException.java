package io.eventbus;

/**
 * Thrown at registration or build time for a setup mistake: a duplicate type name, a malformed
 * handler method, an invalid option. The message names the culprit (class, method or option).
 */
public final class EventBusConfigurationException extends EventBusException {
  private static final long serialVersionUID = 1L;

  public EventBusConfigurationException(String message) {
    super(message);
  }
}
