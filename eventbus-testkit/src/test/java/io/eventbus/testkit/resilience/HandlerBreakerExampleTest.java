package io.eventbus.testkit.resilience;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.spi.Transport;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.EventRecorder;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/resilience.md, "A circuit breaker around a dependency": a handler calls its
 * payment gateway through its own resilience4j breaker; while that breaker refuses calls, the
 * subscription backs off instead of retrying or dead-lettering. The regions between the {@code
 * tag::} and {@code end::} comments are quoted in the page, and {@link ResilienceDocsTest} checks
 * that they are quoted exactly.
 */
class HandlerBreakerExampleTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @EventType("example.payment.requested.v1")
  record PaymentRequested(String orderId, long cents) {}

  /** The external payment gateway. */
  interface PaymentGateway {
    void charge(String orderId, long cents);
  }

  // tag::handler[]
  /** Charges each payment through the gateway, guarded by the gateway's own circuit breaker. */
  static final class PaymentHandlers {
    private final PaymentGateway gateway;
    private final CircuitBreaker breaker =
        CircuitBreaker.of(
            "payment-gateway",
            CircuitBreakerConfig.custom()
                .minimumNumberOfCalls(3)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(1)) // short for the example
                .build());

    PaymentHandlers(PaymentGateway gateway) {
      this.gateway = gateway;
    }

    @EventHandler
    void on(PaymentRequested payment) {
      // While the breaker is open this throws CallNotPermittedException without calling the
      // gateway: the bus neither retries nor dead-letters the event, the subscription backs off.
      breaker.executeRunnable(() -> gateway.charge(payment.orderId(), payment.cents()));
    }
  }

  // end::handler[]

  /** Down until told otherwise; counts the calls that reach it. */
  static final class Gateway implements PaymentGateway {
    volatile boolean down = true;
    final AtomicInteger calls = new AtomicInteger();
    final Set<String> charged = ConcurrentHashMap.newKeySet();

    @Override
    public void charge(String orderId, long cents) {
      calls.incrementAndGet();
      if (down) {
        throw new IllegalStateException("gateway timeout");
      }
      charged.add(orderId);
    }
  }

  private static EventBus bus(Transport transport, PaymentGateway gateway) {
    // tag::subscription[]
    EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("payments")
                    .concurrency(2)
                    .circuitBreaker( // the subscription's own kill switch, and how long to back off
                        CircuitBreakerPolicy.builder().openDuration(Duration.ofSeconds(1)).build())
                    .concurrencyLimit(2) // at most two charges at once
                    .rateLimit(50, Duration.ofSeconds(1)) // the gateway's quota
                    .build(),
                Handlers.scan(new PaymentHandlers(gateway)))
            .build();
    // end::subscription[]
    return bus;
  }

  @Test
  void whileTheGatewaysBreakerIsOpenTheSubscriptionBacksOffAndParksNothing() {
    EventRecorder recorder = EventRecorder.create();
    InMemoryTransport transport = InMemoryTransport.create();
    Gateway gateway = new Gateway();
    try (EventBus bus = bus(recorder.record(transport), gateway)) {
      for (int i = 0; i < 10; i++) {
        bus.publishAndWait(new PaymentRequested("o-" + i, 100 + i));
      }

      Health.Component backingOff =
          Await.until(
              TIMEOUT,
              () -> bus.health().component("subscription:payments").orElseThrow(),
              component -> component.detail().startsWith("backing off"),
              "the subscription backing off");
      assertThat(backingOff.detail())
          .contains("circuit breaker payment-gateway refused the call")
          .contains("resuming at");
      assertThat(backingOff.status()).isEqualTo(Health.Status.DEGRADED);
      gateway.down = false;

      assertThat(recorder.awaitHandled("payments", PaymentRequested.class, 10, TIMEOUT))
          .hasSize(10);
      assertThat(gateway.charged).hasSize(10);
      assertThat(gateway.calls.get())
          .as("the breaker kept calls from the gateway while it was down")
          .isLessThan(20);
      assertThat(transport.deadLetters("payments")).isEmpty();
      assertThat(recorder).hasNoDeadLetters();
    }
  }
}
