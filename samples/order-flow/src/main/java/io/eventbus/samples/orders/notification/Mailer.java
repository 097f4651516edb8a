package io.eventbus.samples.orders.notification;

/** Sends a message to the customer of an order. */
@FunctionalInterface
public interface Mailer {
  /**
   * Sends {@code text} to the customer of {@code orderId}.
   *
   * @throws MailServerUnavailableException if the mail server did not take it; worth retrying
   */
  void send(String orderId, String text);
}
