package io.eventbus.testkit.docs;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** docs/testing.md quotes this file whole: a ledger scoped to what the test means. */
@EventBusTest(transport = TransportKind.IN_MEMORY)
class LedgerScopeExampleTest {
  @EventType("order.placed.v1")
  record OrderPlaced(String orderId, int items) {}

  @EventType("stock.reserved.v1")
  record StockReserved(String orderId, int items) {}

  /** The service under test: it handles orders and publishes its own events for others. */
  static class InventoryHandlers {
    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      context.publisher().publishAndWait(new StockReserved(order.orderId(), order.items()));
    }
  }

  @Test
  void everyOrderIsHandledAndTheServicesOwnEventsAreNotCountedAsLost(EventBusFixture fixture) {
    fixture
        .busBuilder()
        .register(StockReserved.class) // what the handlers publish
        .subscribe("inventory", new InventoryHandlers())
        .build();
    EventBus orders = fixture.busBuilder().register(OrderPlaced.class).build();

    for (int i = 0; i < 10; i++) {
      orders.publishAndWait(new OrderPlaced("o-" + i, 1));
    }

    // Nobody in this test subscribes to stock.reserved.v1: those 10 confirmed events are out of
    // scope, not lost. Only the types some recorded subscription takes are expected.
    assertThat(fixture.ledger()).within(Duration.ofSeconds(10)).lostNothing().hasConfirmed(20);
    // Narrower: only the orders, and only as the inventory subscription sees them.
    assertThat(fixture.ledger().ofType("order.placed.v1"))
        .within(Duration.ofSeconds(10))
        .lostNothing("inventory")
        .hasConfirmed(10);
    assertThat(fixture.ledger().report().outOfScope()).isEqualTo(10);
  }
}
