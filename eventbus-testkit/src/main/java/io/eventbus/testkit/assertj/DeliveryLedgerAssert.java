package io.eventbus.testkit.assertj;

import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.DeliveryLedger.Report;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link DeliveryLedger}: the promise that nothing confirmed is lost, and the
 * duplicates that at-least-once delivery allows.
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe, like every AssertJ assertion; the ledger may keep recording while it waits.
 */
public final class DeliveryLedgerAssert
    extends AbstractAssert<DeliveryLedgerAssert, DeliveryLedger> {
  private static final int LISTED = 20;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Duration timeout;

  DeliveryLedgerAssert(DeliveryLedger actual, Duration timeout) {
    super(actual, DeliveryLedgerAssert.class);
    this.timeout = timeout;
  }

  /** The same assertions, waiting up to {@code timeout} for the ledger to satisfy them. */
  public DeliveryLedgerAssert within(Duration timeout) {
    return new DeliveryLedgerAssert(actual, Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * Every confirmed event was handled or parked: by each of {@code subscriptions} that takes its
   * type, or when none are named by at least one subscription, if some recorded subscription takes
   * its type. Confirmed events no such subscription takes are out of scope, not lost (see {@link
   * DeliveryLedger}, "Scope"; narrow further with {@link DeliveryLedger#ofType}). The failure
   * message lists the lost events and the duplicates.
   */
  public DeliveryLedgerAssert lostNothing(String... subscriptions) {
    isNotNull();
    Report report = await(r -> r.lost().isEmpty(), subscriptions);
    if (!report.lost().isEmpty()) {
      failWithMessage(
          "Expected every confirmed event to be handled or parked but %d of %d confirmed were lost"
              + " after %s: %s%nDuplicates: %d %s%nLedger (outOfScope: confirmed events no recorded"
              + " subscription takes): %s",
          report.lost().size(),
          report.confirmed(),
          timeout,
          listed(report.lost()),
          report.duplicateCount(),
          report.duplicates().keySet().stream().limit(LISTED).toList(),
          report);
    }
    return this;
  }

  /** No event was handled twice by one subscription. */
  public DeliveryLedgerAssert hasNoDuplicates() {
    isNotNull();
    Report report = actual.report();
    if (report.duplicateCount() > 0) {
      failWithMessage(
          "Expected no duplicate deliveries but %d events were handled again: %s",
          report.duplicates().size(), report.duplicates());
    }
    return this;
  }

  /** Exactly {@code count} events were confirmed. */
  public DeliveryLedgerAssert hasConfirmed(int count) {
    isNotNull();
    Report report = actual.report();
    if (report.confirmed() != count) {
      failWithMessage("Expected %d confirmed events but the ledger has %s", count, report);
    }
    return this;
  }

  private Report await(java.util.function.Predicate<Report> done, String... subscriptions) {
    long until = System.nanoTime() + timeout.toNanos();
    Report report = actual.report(subscriptions);
    while (!done.test(report) && System.nanoTime() - until < 0) {
      LockSupport.parkNanos(POLL_NANOS);
      report = actual.report(subscriptions);
    }
    return report;
  }

  private static String listed(List<String> items) {
    return items.size() <= LISTED
        ? items.toString()
        : items.subList(0, LISTED) + " and " + (items.size() - LISTED) + " more";
  }
}
