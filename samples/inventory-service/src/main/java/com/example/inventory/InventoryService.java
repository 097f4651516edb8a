package com.example.inventory;

import io.eventbus.EventBus;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.spi.Transport;
import java.util.Map;

/** The inventory service: handles order.placed.v1, publishes stock.reserved.v1. */
public class InventoryService {
  /** Starts the service on {@code transport}; closing the returned bus stops it. */
  public static EventBus start(Transport transport, Map<String, Integer> stock) {
    return EventBus.builder()
        .transport(transport)
        .source("/inventory")
        .register(StockReserved.class) // the types this service publishes
        .subscribe("inventory", new InventoryHandlers(stock))
        .build();
  }

  public static void main(String[] args) throws InterruptedException {
    String uri = args.length > 0 ? args[0] : "amqp://guest:guest@localhost:5672";
    EventBus bus = start(RabbitTransport.builder().uri(uri).build(), Map.of("sku-1", 100));
    Runtime.getRuntime().addShutdownHook(new Thread(bus::close));
    System.out.println("inventory-service is running; Ctrl-C stops it");
    Thread.currentThread().join();
  }
}
