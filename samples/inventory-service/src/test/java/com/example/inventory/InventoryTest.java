package com.example.inventory;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.EventRecorder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inventory service in memory: no broker, milliseconds. */
class InventoryTest {
  @Test
  void reservesStockForAPlacedOrderAndParksOneItCannotServe() {
    EventRecorder recorder = EventRecorder.create();
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus inventory =
            InventoryService.start(recorder.record(transport), Map.of("sku-1", 5));
        EventBus shipping =
            EventBus.builder()
                .transport(recorder.record(transport.peer()))
                .subscribe(
                    "shipping",
                    Handlers.builder().on(StockReserved.class, (event, context) -> {}).build())
                .build();
        EventBus orders =
            EventBus.builder()
                .transport(recorder.record(transport.peer()))
                .register(OrderPlaced.class)
                .build()) {

      orders.publishAndWait(new OrderPlaced("o-1", "sku-1", 2));
      String tooMany = orders.publishAndWait(new OrderPlaced("o-2", "sku-1", 4)).eventId();

      assertThat(recorder.awaitHandled("shipping", StockReserved.class, 1, Duration.ofSeconds(5)))
          .containsExactly(new StockReserved("o-1", "sku-1", 2));
      assertThat(recorder)
          .event(tooMany)
          .wasDeadLettered()
          .hasErrorType(OutOfStockException.class)
          .hasErrorMessageContaining("wants 4 of sku-1");
    }
  }
}
