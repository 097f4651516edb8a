package com.example.inventory;

import io.eventbus.NonRetryable;

/** Not enough stock: retrying will not help, so the order is parked in inventory.dlq at once. */
public class OutOfStockException extends RuntimeException implements NonRetryable {
  public OutOfStockException(String message) {
    super(message);
  }
}
