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
}
