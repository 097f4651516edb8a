package io.eventbus.internal;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.PartitionKey;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.RecordComponent;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Reads an event's {@link PartitionKey} component; the accessor is looked up once per class. */
public final class PartitionKeys {
  /** The CloudEvents extension attribute that carries the key. */
  public static final String EXTENSION = "partitionkey";

  private static final ClassValue<Optional<MethodHandle>> ACCESSORS =
      new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
          return accessor(type);
        }
      };

  private PartitionKeys() {}

  /** The key of {@code event}, if its class declares one and the value is not null. */
  public static Optional<String> keyOf(Object event) {
    Optional<MethodHandle> accessor = ACCESSORS.get(event.getClass());
    if (accessor.isEmpty()) {
      return Optional.empty();
    }
    Object value;
    try {
      value = accessor.get().invoke(event);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
  }

  /**
   * The accessor of {@code type}'s {@link PartitionKey} component.
   *
   * @throws EventBusConfigurationException if more than one component carries it
   */
  static Optional<MethodHandle> accessor(Class<?> type) {
    if (!type.isRecord()) {
      return Optional.empty();
    }
    @Nullable RecordComponent found = null;
    for (RecordComponent component : type.getRecordComponents()) {
      if (component.isAnnotationPresent(PartitionKey.class)) {
        if (found != null) {
          throw new EventBusConfigurationException(
              type.getName()
                  + " has two @PartitionKey components: "
                  + found.getName()
                  + " and "
                  + component.getName());
        }
        found = component;
      }
    }
    if (found == null) {
      return Optional.empty();
    }
    try {
      found.getAccessor().setAccessible(true);
      return Optional.of(MethodHandles.lookup().unreflect(found.getAccessor()));
    } catch (IllegalAccessException | RuntimeException e) {
      throw new EventBusConfigurationException(
          "The @PartitionKey component "
              + found.getName()
              + " of "
              + type.getName()
              + " is not accessible: "
              + e.getMessage());
    }
  }
}
