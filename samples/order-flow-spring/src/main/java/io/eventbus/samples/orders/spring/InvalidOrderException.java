package io.eventbus.samples.orders.spring;

import io.eventbus.NonRetryable;

/**
 * An order that can never be shipped, however often it is retried. Implementing {@link
 * NonRetryable} sends its event straight to the dead-letter queue after one attempt.
 */
public final class InvalidOrderException extends RuntimeException implements NonRetryable {
  private static final long serialVersionUID = 1L;

  public InvalidOrderException(String message) {
    super(message);
  }
}
