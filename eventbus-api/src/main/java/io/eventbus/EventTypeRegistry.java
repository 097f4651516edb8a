package io.eventbus;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The allow-list of event types: maps stable type names to classes and back. Only classes in a
 * registry are ever instantiated from the wire.
 *
 * <pre>{@code
 * EventTypeRegistry registry = EventTypeRegistry.builder()
 *     .register(OrderPlaced.class)                       // name from @EventType
 *     .register("legacy.order.v0", LegacyOrder.class)    // explicit name
 *     .build();
 * registry.classFor("order.placed.v1");                  // Optional[class OrderPlaced]
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Immutable, so safe to share. {@link Builder} is not thread-safe.
 *
 * <h2>Failures</h2>
 *
 * Registering a name twice for different classes, a class under two names, a class without {@link
 * EventType}, or an invalid name throws {@link EventBusConfigurationException} naming both
 * culprits.
 */
public final class EventTypeRegistry {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final EventTypeRegistry EMPTY = new EventTypeRegistry(Map.of(), Map.of());

  private final Map<String, Class<?>> classesByName;
  private final Map<Class<?>, String> namesByClass;

  private EventTypeRegistry(
      Map<String, Class<?>> classesByName, Map<Class<?>, String> namesByClass) {
    this.classesByName = Map.copyOf(classesByName);
    this.namesByClass = Map.copyOf(namesByClass);
  }

  /** A registry with no types. */
  public static EventTypeRegistry empty() {
    return EMPTY;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder(Map.of());
  }

  /** A builder holding this registry's types, to which more can be added. */
  public Builder toBuilder() {
    return new Builder(classesByName);
  }

  /** The class registered under {@code typeName}, if any. */
  public Optional<Class<?>> classFor(String typeName) {
    return Optional.ofNullable(classesByName.get(typeName));
  }

  /** The type name registered for exactly {@code eventClass} (not its supertypes), if any. */
  public Optional<String> nameFor(Class<?> eventClass) {
    return Optional.ofNullable(namesByClass.get(eventClass));
  }

  /** Every registered type name. */
  public Set<String> names() {
    return classesByName.keySet();
  }

  /** The type name declared by {@code eventClass}'s {@link EventType}, validated. */
  public static String declaredName(Class<?> eventClass) {
    EventType annotation = eventClass.getAnnotation(EventType.class);
    if (annotation == null) {
      throw new EventBusConfigurationException(
          "Class "
              + eventClass.getName()
              + " has no @EventType annotation; annotate it or register it with an explicit name");
    }
    return validName(annotation.value(), eventClass);
  }

  private static String validName(String name, Class<?> eventClass) {
    if (!NAME.matcher(name).matches() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new EventBusConfigurationException(
          "Event type name '"
              + name
              + "' of "
              + eventClass.getName()
              + " is invalid: use 1 to 255 letters, digits, '.', '-' or '_'");
    }
    return name;
  }

  @Override
  public String toString() {
    return "EventTypeRegistry" + classesByName.keySet();
  }

  /** Collects registrations; {@link #build()} makes the immutable registry. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Class<?>> classesByName;
    private final Map<Class<?>, String> namesByClass = new LinkedHashMap<>();

    private Builder(Map<String, Class<?>> initial) {
      this.classesByName = new LinkedHashMap<>(initial);
      initial.forEach((name, type) -> namesByClass.put(type, name));
    }

    /** Registers each class under the name of its {@link EventType} annotation. */
    public Builder register(Class<?>... eventClasses) {
      for (Class<?> eventClass : eventClasses) {
        Objects.requireNonNull(eventClass, "eventClass");
        register(declaredName(eventClass), eventClass);
      }
      return this;
    }

    /**
     * Registers {@code eventClass} under {@code typeName}. Registering the same pair again is a
     * no-op.
     */
    public Builder register(String typeName, Class<?> eventClass) {
      Objects.requireNonNull(typeName, "typeName");
      Objects.requireNonNull(eventClass, "eventClass");
      validName(typeName, eventClass);
      Class<?> existing = classesByName.get(typeName);
      if (existing != null && existing != eventClass) {
        throw new EventBusConfigurationException(
            "Event type name '"
                + typeName
                + "' is registered twice: for "
                + existing.getName()
                + " and for "
                + eventClass.getName());
      }
      String existingName = namesByClass.get(eventClass);
      if (existingName != null && !existingName.equals(typeName)) {
        throw new EventBusConfigurationException(
            "Class "
                + eventClass.getName()
                + " is registered under two names: '"
                + existingName
                + "' and '"
                + typeName
                + "'");
      }
      classesByName.put(typeName, eventClass);
      namesByClass.put(eventClass, typeName);
      return this;
    }

    /** The immutable registry. */
    public EventTypeRegistry build() {
      return new EventTypeRegistry(classesByName, namesByClass);
    }
  }
}
