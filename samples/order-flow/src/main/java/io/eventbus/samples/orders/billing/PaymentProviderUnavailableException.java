package io.eventbus.samples.orders.billing;

/** The payment provider did not answer: transient, worth trying again later. */
public final class PaymentProviderUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PaymentProviderUnavailableException(String message) {
    super(message);
  }
}
