package io.eventbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.testkit.DeliveryLedger.Report;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {
  @Test
  void aConfirmedEventNeitherHandledNorParkedIsLost() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordPublished("a");
    ledger.recordConfirmed("a");
    ledger.recordPublished("b");
    ledger.recordConfirmed("b");
    ledger.recordPublished("c");
    ledger.recordConfirmed("c");
    ledger.recordHandled("shipping", "a");
    ledger.recordDeadLettered("shipping", "b");

    Report report = ledger.report();

    assertThat(report.lost()).containsExactly("c");
    assertThat(report.confirmed()).isEqualTo(3);
    assertThat(report.handled()).isEqualTo(1);
    assertThat(report.deadLettered()).isEqualTo(1);
  }

  @Test
  void aFailedPublishIsNotLostAndRepeatedHandlingCountsAsDuplicates() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordPublished("a");
    ledger.recordPublishFailed("a");
    ledger.recordPublished("b");
    ledger.recordConfirmed("b");
    ledger.recordHandled("shipping", "b");
    ledger.recordHandled("shipping", "b");
    ledger.recordHandled("shipping", "b");

    Report report = ledger.report();

    assertThat(report.lost()).isEmpty();
    assertThat(report.publishFailed()).isEqualTo(1);
    assertThat(report.duplicates()).containsExactly(java.util.Map.entry("b@shipping", 2));
    assertThat(report.duplicateCount()).isEqualTo(2);
  }

  @Test
  void namedSubscriptionsMustEachHandleEveryConfirmedEvent() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordConfirmed("a");
    ledger.recordHandled("shipping", "a");
    ledger.recordHandled("billing", "a");
    ledger.recordConfirmed("b");
    ledger.recordHandled("shipping", "b");

    assertThat(ledger.report().lost()).isEmpty();
    assertThat(ledger.report("shipping", "billing").lost()).containsExactly("b@billing");
    // Fan-out is not duplication: each subscription handled each event once.
    assertThat(ledger.report().duplicates()).isEmpty();
  }

  @Test
  void aConfirmedEventOfATypeNoRecordedSubscriptionTakesIsOutOfScopeNotLost() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordSubscribed("inventory", java.util.Set.of("order.placed.v1"));
    ledger.recordPublished("order", "order.placed.v1");
    ledger.recordConfirmed("order");
    ledger.recordHandled("inventory", "order");
    ledger.recordPublished("reserved", "stock.reserved.v1");
    ledger.recordConfirmed("reserved");
    ledger.recordPublished("late", "order.placed.v1");
    ledger.recordConfirmed("late");

    Report report = ledger.report();

    assertThat(report.lost()).containsExactly("late");
    assertThat(report.outOfScope()).isEqualTo(1);
    assertThat(report.confirmed()).isEqualTo(3);
  }

  @Test
  void aNamedSubscriptionIsExpectedToHandleOnlyTheTypesItTakes() {
    DeliveryLedger ledger = DeliveryLedger.create();
    ledger.recordSubscribed("shipping", java.util.Set.of("order.placed.v1"));
    ledger.recordSubscribed("billing", java.util.Set.of("order.placed.v1", "payment.v1"));
    ledger.recordPublished("order", "order.placed.v1");
    ledger.recordConfirmed("order");
    ledger.recordHandled("shipping", "order");
    ledger.recordHandled("billing", "order");
    ledger.recordPublished("payment", "payment.v1");
    ledger.recordConfirmed("payment");

    assertThat(ledger.report("shipping").lost()).isEmpty();
    assertThat(ledger.report("shipping").outOfScope()).isEqualTo(1);
    assertThat(ledger.report("shipping", "billing").lost()).containsExactly("payment@billing");
  }

  @Test
  void ofTypeReportsOnlyEventsOfThoseTypesAndSharesTheRecords() {
    DeliveryLedger ledger = DeliveryLedger.create();
    DeliveryLedger orders = ledger.ofType("order.placed.v1");
    ledger.recordPublished("order", "order.placed.v1");
    ledger.recordConfirmed("order");
    orders.recordPublished("payment", "payment.v1");
    orders.recordConfirmed("payment");
    ledger.recordPublished("untyped");
    ledger.recordConfirmed("untyped");

    assertThat(orders.report().confirmed()).isEqualTo(1);
    assertThat(orders.report().lost()).containsExactly("order");
    assertThat(ledger.report().lost()).containsExactly("order", "payment", "untyped");
    assertThat(orders.ofType("payment.v1").report().confirmed()).isZero();
  }
}
