package io.eventbus.samples.orders.billing;

import java.math.BigDecimal;

/** The external payment provider billing captures payments at. */
public interface PaymentProvider {
  /**
   * Captures {@code amount} for {@code orderId}.
   *
   * @throws PaymentProviderUnavailableException when the provider is down
   */
  void capture(String orderId, BigDecimal amount);
}
