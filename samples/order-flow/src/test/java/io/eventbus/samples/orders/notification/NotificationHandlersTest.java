package io.eventbus.samples.orders.notification;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.samples.orders.events.OrderPlaced;
import io.eventbus.samples.orders.events.ShipmentDispatched;
import io.eventbus.testkit.EventRecorder;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NotificationHandlersTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final EventRecorder recorder = EventRecorder.create();
  private final InMemoryTransport transport = InMemoryTransport.create();

  @Test
  void retriesAFailedSendInProcessUntilItGoesThrough() {
    FailingFirst mailer = new FailingFirst(2);
    NotificationHandlers notification = new NotificationHandlers(mailer);
    try (EventBus bus = bus(notification)) {
      String id = bus.publishAndWait(order("o-1")).eventId();

      assertThat(recorder).event(id).wasHandled();
      assertThat(mailer.calls("o-1")).isEqualTo(3);
      assertThat(notification.sent("o-1")).containsExactly("confirmation");
      assertThat(transport.deadLetters("notification")).isEmpty();
    }
  }

  @Test
  void redeliversAfterADelayWhenTheMailServerStaysDownLongerThanTheRetries() {
    FailingFirst mailer = new FailingFirst(4); // three in process, then one after a redelivery
    NotificationHandlers notification = new NotificationHandlers(mailer);
    try (EventBus bus = bus(notification)) {
      bus.publishAndWait(new ShipmentDispatched("o-2", "DHL", "JD42"));

      assertThat(recorder.awaitHandled("notification", ShipmentDispatched.class, 1, TIMEOUT))
          .extracting(ShipmentDispatched::trackingCode)
          .containsExactly("JD42");
      assertThat(mailer.calls("o-2")).isEqualTo(5);
      assertThat(notification.sent("o-2")).containsExactly("tracking");
      assertThat(transport.deadLetters("notification")).isEmpty();
    }
  }

  private EventBus bus(NotificationHandlers notification) {
    return EventBus.builder()
        .transport(recorder.record(transport))
        .subscribe(
            NotificationHandlers.options("notification").build(), Handlers.scan(notification))
        .build();
  }

  private static OrderPlaced order(String orderId) {
    return new OrderPlaced(orderId, "ada@example.com", List.of("sku-1"), BigDecimal.TEN);
  }

  /** A mail server that fails the first {@code failures} sends for each order. */
  private static final class FailingFirst implements Mailer {
    private final int failures;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    FailingFirst(int failures) {
      this.failures = failures;
    }

    @Override
    public void send(String orderId, String text) {
      if (calls.computeIfAbsent(orderId, id -> new AtomicInteger()).incrementAndGet() <= failures) {
        throw new MailServerUnavailableException("down, message for " + orderId);
      }
    }

    int calls(String orderId) {
      return calls.getOrDefault(orderId, new AtomicInteger()).get();
    }
  }
}
