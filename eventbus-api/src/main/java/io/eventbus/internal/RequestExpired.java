package io.eventbus.internal;

/**
 * Thrown inside a responder's pipeline when its request's deadline passes before the handler is
 * called, or before its reply is ready: the reply link then drops the request unanswered.
 */
final class RequestExpired extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RequestExpired() {
    super("the request's deadline has passed", null, false, false);
  }
}
