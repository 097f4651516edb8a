package io.eventbus;

/**
 * A responder for one request type, for registering responders without annotations (see {@link
 * Handlers.Builder#answer}).
 *
 * @param <Q> the request class
 * @param <R> the reply class, or a {@link java.util.concurrent.CompletionStage} of it
 */
@FunctionalInterface
public interface RequestHandlerFunction<Q, R> {
  /**
   * Answers one request. The returned reply (or the value of the returned stage) is sent back;
   * throwing sends back the exception's type and message (see {@link RequestHandler}).
   */
  R answer(Q request, EventContext context) throws Exception;
}
