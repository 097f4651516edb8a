package io.eventbus.testkit.assertj;

import io.eventbus.spi.DeadLetter;
import io.eventbus.testkit.DeliveryLedger;
import io.eventbus.testkit.EventRecorder;
import org.assertj.core.api.Assertions;

/**
 * The entry point for eventbus assertions; extends AssertJ's {@link Assertions}, so one static
 * import serves both.
 *
 * <pre>{@code
 * import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;
 *
 * assertThat(recorder).published(OrderPlaced.class).hasSize(1)
 *     .first().extracting(OrderPlaced::orderId).isEqualTo("o-1");
 * assertThat(recorder).event(id).wasDeadLettered().hasReason("handler-failed");
 * assertThat(recorder.ledger()).within(Duration.ofSeconds(10)).lostNothing("shipping");
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless. Assertions that wait for outcomes do so up to the recorder's default timeout, or the
 * one given to {@code within}.
 */
public class EventBusAssertions extends Assertions {
  /** For subclassing only, as AssertJ's {@code Assertions}. */
  protected EventBusAssertions() {}

  /** Assertions on what {@code recorder} recorded. */
  public static EventRecorderAssert assertThat(EventRecorder recorder) {
    return new EventRecorderAssert(recorder, recorder.defaultTimeout());
  }

  /** Assertions on a ledger's account. */
  public static DeliveryLedgerAssert assertThat(DeliveryLedger ledger) {
    return new DeliveryLedgerAssert(ledger, java.time.Duration.ZERO);
  }

  /** Assertions on a parked message's headers. */
  public static DeadLetterAssert assertThat(DeadLetter deadLetter) {
    return new DeadLetterAssert(deadLetter);
  }
}
