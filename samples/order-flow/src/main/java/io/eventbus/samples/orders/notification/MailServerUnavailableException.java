package io.eventbus.samples.orders.notification;

/** The mail server did not answer. Transient: the default {@code RetryPolicy} retries it. */
public final class MailServerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MailServerUnavailableException(String message) {
    super(message);
  }
}
