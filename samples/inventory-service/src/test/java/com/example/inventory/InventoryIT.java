package com.example.inventory;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inventory service on a RabbitMQ broker that the testkit finds or starts. */
@EventBusTest(transport = TransportKind.BROKER)
class InventoryIT {
  @Test
  void reservesStockForAPlacedOrder(EventBusFixture fixture) {
    InventoryService.start(fixture.transport(), Map.of("sku-1", 5));
    fixture
        .busBuilder()
        .subscribe(
            "shipping", Handlers.builder().on(StockReserved.class, (event, context) -> {}).build())
        .build();
    EventBus orders = fixture.busBuilder().register(OrderPlaced.class).build();

    String placed = orders.publishAndWait(new OrderPlaced("o-1", "sku-1", 2)).eventId();

    assertThat(fixture.recorder()).event(placed).wasHandled();
    assertThat(
            fixture
                .recorder()
                .awaitHandled("shipping", StockReserved.class, 1, Duration.ofSeconds(10)))
        .containsExactly(new StockReserved("o-1", "sku-1", 2));
  }

  @Test
  void parksAnOrderItCannotServeInTheDeadLetterQueue(EventBusFixture fixture) {
    InventoryService.start(fixture.transport(), Map.of("sku-1", 1));
    EventBus orders = fixture.busBuilder().register(OrderPlaced.class).build();

    String placed = orders.publishAndWait(new OrderPlaced("o-2", "sku-1", 3)).eventId();

    assertThat(fixture.recorder()).event(placed).wasDeadLettered();
    assertThat(fixture.deadLetters("inventory")) // read from the real inventory.dlq
        .singleElement()
        .satisfies(parked -> assertThat(parked).hasErrorType(OutOfStockException.class));
  }
}
