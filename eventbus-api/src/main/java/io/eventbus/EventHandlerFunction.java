package io.eventbus;

/**
 * A handler for one event type, for registering handlers without annotations (see {@link
 * Handlers.Builder#on}).
 *
 * @param <E> the event class
 */
@FunctionalInterface
public interface EventHandlerFunction<E> {
  /**
   * Handles one event. Returning normally acknowledges it; throwing hands it to the failure path of
   * its subscription.
   */
  void handle(E event, EventContext context) throws Exception;
}
