package io.eventbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that handles one event type.
 *
 * <pre>{@code
 * class ShippingHandlers {
 *   @EventHandler
 *   void on(OrderPlaced order, EventContext context) { ... }
 * }
 * }</pre>
 *
 * <p>The method is an instance method returning {@code void}. Its first parameter is the event
 * class (annotated with {@link EventType} or registered in the {@link EventTypeRegistry}); an
 * optional second parameter of type {@link EventContext} gives the metadata and the attempt number.
 * It may throw any exception: the event is then not acknowledged as handled (see {@link EventBus}
 * for what happens next). A method that breaks these rules fails {@link Handlers#scan} with an
 * {@link EventBusConfigurationException} that names it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EventHandler {}
