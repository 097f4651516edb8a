package com.example.inventory;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.testkit.fault.ConnectionCutter;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inventory service loses its connections mid-stream; no confirmed order is lost. */
@EventBusTest(transport = TransportKind.BROKER)
class InventorySurvivesConnectionLossIT {
  @Test
  void confirmedOrdersAreReservedAfterTheServiceLostItsConnections(EventBusFixture fixture) {
    try (ConnectionCutter cutter =
        ConnectionCutter.start(fixture.broker().host(), fixture.broker().port())) {
      String viaCutter = cutter.proxiedUri(fixture.broker().uri());
      InventoryService.start(
          fixture.transport(viaCutter, settings -> settings.connectionName("inventory")),
          Map.of("sku-1", 1_000));
      fixture
          .busBuilder()
          .subscribe(
              "shipping",
              Handlers.builder().on(StockReserved.class, (event, context) -> {}).build())
          .build();
      EventBus orders = fixture.busBuilder().register(OrderPlaced.class).build(); // direct

      for (int i = 0; i < 20; i++) {
        orders.publishAndWait(new OrderPlaced("o-" + i, "sku-1", 1));
      }
      cutter.cutAll(); // the service's connections are reset mid-stream
      for (int i = 20; i < 40; i++) {
        orders.publishAndWait(new OrderPlaced("o-" + i, "sku-1", 1)); // the broker holds them
      }

      // Every confirmed event (40 orders, 40 reservations) was handled by some subscription:
      // the service reconnected by itself and went on.
      assertThat(fixture.ledger()).within(Duration.ofSeconds(30)).lostNothing().hasConfirmed(80);
    }
  }
}
