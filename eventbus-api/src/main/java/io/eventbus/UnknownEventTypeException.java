package io.eventbus;

import io.eventbus.spi.SafeText;
import org.jspecify.annotations.Nullable;

/**
 * An event type that this side does not know: publishing an instance of a class that is not in the
 * {@link EventTypeRegistry}, or receiving a message whose type name is not registered or has no
 * handler in the subscription. A received message with an unknown type is dead-lettered, never
 * instantiated. Received ids and type names are quoted in the message escaped and capped ({@link
 * SafeText}); {@link #eventId()} and {@link #eventType()} return them as received.
 */
public final class UnknownEventTypeException extends EventBusException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String eventId;
  private final String eventType;

  private UnknownEventTypeException(@Nullable String eventId, String eventType, String message) {
    super(message);
    this.eventId = eventId;
    this.eventType = eventType;
  }

  /** Publishing an instance of a class that has no registered type name. */
  public static UnknownEventTypeException unregisteredClass(Class<?> eventClass) {
    return new UnknownEventTypeException(
        null,
        eventClass.getName(),
        "Class "
            + eventClass.getName()
            + " is not a registered event type: annotate it with @EventType and register it with"
            + " EventBus.builder().register("
            + eventClass.getSimpleName()
            + ".class)");
  }

  /** A received message whose type name is not in the registry. */
  public static UnknownEventTypeException unregisteredName(String eventId, String eventType) {
    return new UnknownEventTypeException(
        eventId,
        eventType,
        "Event "
            + SafeText.of(eventId)
            + " has type '"
            + SafeText.of(eventType)
            + "', which is not registered");
  }

  /** A received message of a registered type for which the subscription has no handler. */
  public static UnknownEventTypeException noHandler(
      String eventId, String eventType, String subscription) {
    return new UnknownEventTypeException(
        eventId,
        eventType,
        "Event "
            + SafeText.of(eventId)
            + " has type '"
            + SafeText.of(eventType)
            + "', which subscription '"
            + subscription
            + "' has no handler for");
  }

  /** The id of the received event, or null when publishing. */
  public @Nullable String eventId() {
    return eventId;
  }

  /** The unknown type name, or the class name when publishing. */
  public String eventType() {
    return eventType;
  }
}
