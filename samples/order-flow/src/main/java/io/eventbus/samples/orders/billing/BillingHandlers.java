package io.eventbus.samples.orders.billing;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventHandler;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.samples.orders.events.PaymentCompleted;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The billing service: captures every completed payment at the external {@link PaymentProvider},
 * which goes down for a while during the run. Its subscription has a circuit breaker: once half of
 * the latest payments failed, it stops consuming, gives back what it holds, waits a second, probes
 * with one payment, and resumes when the provider answers again. No payment is parked because of
 * the outage, and none is captured twice.
 */
public final class BillingHandlers {
  private final PaymentProvider provider;
  private final Set<String> captured = ConcurrentHashMap.newKeySet();

  public BillingHandlers(PaymentProvider provider) {
    this.provider = provider;
  }

  /**
   * Two payments at a time, two quick attempts each, then redelivery after 0.5 and 1 s: without the
   * circuit breaker an outage of a few seconds would use those up and park payments. The breaker
   * opens when 3 of the last 6 payments failed (after their in-process retries), stays open a
   * second, and probes with one payment. Production values would be longer.
   */
  public static SubscriptionOptions.Builder options(String queue) {
    return SubscriptionOptions.builder(queue)
        .concurrency(2)
        .retryPolicy(
            RetryPolicy.builder()
                .maxAttempts(2)
                .backoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(100))
                .build())
        .redeliveryDelays(Duration.ofMillis(500), Duration.ofSeconds(1))
        .circuitBreaker(
            CircuitBreakerPolicy.builder()
                .slidingWindow(6)
                .minimumCalls(3)
                .failureRateThreshold(50)
                .openDuration(Duration.ofSeconds(1))
                .probes(1)
                .build());
  }

  @EventHandler
  void on(PaymentCompleted payment) {
    // Delivery is at least once: a payment captured before is not captured again.
    if (captured.contains(payment.orderId())) {
      return;
    }
    provider.capture(payment.orderId(), payment.amount());
    captured.add(payment.orderId());
  }

  /** Whether the payment of {@code orderId} was captured. */
  public boolean captured(String orderId) {
    return captured.contains(orderId);
  }
}
