package io.eventbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives an event class its stable type name, the name that travels on the wire and routes the
 * event.
 *
 * <pre>{@code
 * @EventType("order.placed.v1")
 * public record OrderPlaced(String orderId, BigDecimal total) {}
 * }</pre>
 *
 * <p>The name is chosen once and kept: renaming or moving the Java class changes nothing on the
 * wire. Put a version in the name ({@code .v1}) and publish a new type when the shape changes
 * incompatibly. A name is 1 to 255 characters of letters, digits, {@code .}, {@code -} and {@code
 * _} (see {@link EventTypeRegistry}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
  /** The stable type name, for example {@code order.placed.v1}. */
  String value();
}
