package io.eventbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that answers one request type: a responder.
 *
 * <pre>{@code
 * class CustomerResponders {
 *   @RequestHandler
 *   CustomerStatus check(CheckCustomer request) {
 *     return customers.status(request.customerId());
 *   }
 * }
 * }</pre>
 *
 * <p>The method is an instance method. Its first parameter is the request class (annotated with
 * {@link EventType} or registered); an optional second parameter of type {@link EventContext} gives
 * the request's metadata. It returns the reply, an instance of a class annotated with {@link
 * EventType} (or registered), or a {@link java.util.concurrent.CompletionStage} of one; the reply
 * is sent to the requester. If it throws (or the stage fails), the requester gets a {@link
 * RequestException} with {@link RequestException.Reason#RESPONDER_FAILED}, the exception's type and
 * message, never its stack trace. A request whose deadline has passed is dropped before the method
 * is called. A method that breaks these rules fails {@link Handlers#scan} with an {@link
 * EventBusConfigurationException} that names it.
 *
 * <p>Why an annotation of its own rather than an {@link EventHandler} that returns a value: a
 * responder is consumed differently (its queue holds requests that expire, a failure is answered
 * instead of retried and dead-lettered), so whether a method answers requests must not depend on
 * whether it happens to return something.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequestHandler {}
