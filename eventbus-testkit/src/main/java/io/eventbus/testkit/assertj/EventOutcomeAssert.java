package io.eventbus.testkit.assertj;

import io.eventbus.spi.DeadLetter;
import io.eventbus.testkit.RecordedDelivery;
import io.eventbus.testkit.RecordedDelivery.Outcome;
import java.time.Duration;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what became of one event: its first final settlement (handled or dead-lettered) in
 * any subscription, awaited up to a timeout.
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe, like every AssertJ assertion.
 */
public final class EventOutcomeAssert
    extends AbstractAssert<EventOutcomeAssert, Optional<RecordedDelivery>> {
  private final String eventId;
  private final Duration waited;
  private final String summary;

  EventOutcomeAssert(
      String eventId, Optional<RecordedDelivery> settled, Duration waited, String summary) {
    super(settled, EventOutcomeAssert.class);
    this.eventId = eventId;
    this.waited = waited;
    this.summary = summary;
  }

  /** The event was handled (acknowledged) by some subscription. */
  public EventOutcomeAssert wasHandled() {
    RecordedDelivery delivery = settled("handled");
    if (delivery.outcome() != Outcome.HANDLED) {
      failWithMessage(
          "Expected event [%s] to be handled but was dead-lettered by '%s' (%s: %s)",
          eventId,
          delivery.subscription(),
          delivery.reason() == null ? "" : delivery.reason().errorType(),
          delivery.reason() == null ? "" : delivery.reason().errorMessage());
    }
    return this;
  }

  /**
   * The event was dead-lettered by some subscription; returns assertions on the parked message's
   * headers (original plus reason).
   */
  public DeadLetterAssert wasDeadLettered() {
    RecordedDelivery delivery = settled("dead-lettered");
    if (delivery.outcome() != Outcome.DEAD_LETTERED) {
      failWithMessage(
          "Expected event [%s] to be dead-lettered but was handled by '%s'",
          eventId, delivery.subscription());
    }
    return new DeadLetterAssert(
        new DeadLetter(
            delivery.subscription(),
            new io.eventbus.codec.WireMessage(
                delivery.message().body(),
                delivery.message().contentType(),
                delivery.deadLetterHeaders())));
  }

  private RecordedDelivery settled(String expected) {
    isNotNull();
    if (actual.isEmpty()) {
      failWithMessage(
          "Expected event [%s] to be %s but it was neither handled nor dead-lettered within %s.%n%s",
          eventId, expected, waited, summary);
    }
    return actual.orElseThrow();
  }
}
