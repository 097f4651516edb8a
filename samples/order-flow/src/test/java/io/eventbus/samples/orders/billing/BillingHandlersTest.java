package io.eventbus.samples.orders.billing;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.Health;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.samples.orders.events.PaymentCompleted;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.EventRecorder;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BillingHandlersTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final EventRecorder recorder = EventRecorder.create();
  private final InMemoryTransport transport = InMemoryTransport.create();

  /** Down until told otherwise. */
  private static final class Provider implements PaymentProvider {
    volatile boolean down = true;

    @Override
    public void capture(String orderId, BigDecimal amount) {
      if (down) {
        throw new PaymentProviderUnavailableException("down, capture of " + orderId);
      }
    }
  }

  @Test
  void anOutageOpensTheCircuitParksNoPaymentAndEveryPaymentIsCapturedAfterwards() {
    Provider provider = new Provider();
    BillingHandlers billing = new BillingHandlers(provider);
    try (EventBus bus =
        EventBus.builder()
            .transport(recorder.record(transport))
            .subscribe(BillingHandlers.options("billing").build(), Handlers.scan(billing))
            .build()) {
      for (int i = 0; i < 12; i++) {
        bus.publishAndWait(new PaymentCompleted("o-" + i, BigDecimal.TEN));
      }

      Health.Component open =
          Await.until(
              TIMEOUT,
              () -> bus.health().component("subscription:billing").orElseThrow(),
              component -> "OPEN".equals(component.details().get("circuitState")),
              "the circuit open");
      assertThat(open.status()).isEqualTo(Health.Status.DEGRADED);
      assertThat(transport.deadLetters("billing")).isEmpty();
      provider.down = false;

      assertThat(recorder.awaitHandled("billing", PaymentCompleted.class, 12, TIMEOUT)).hasSize(12);
      for (int i = 0; i < 12; i++) {
        assertThat(billing.captured("o-" + i)).as("o-%d captured", i).isTrue();
      }
      assertThat(transport.deadLetters("billing")).isEmpty();
      assertThat(recorder).hasNoDeadLetters();
    }
  }
}
