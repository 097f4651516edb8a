package io.eventbus.testkit.assertj;

import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.RecordedDelivery;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what an {@link EventRecorder} recorded. Lists ({@link #published}, {@link
 * #handled}) are snapshots taken when asked; {@link #event(String)} waits for the event's outcome
 * up to {@link #within(Duration) the timeout} (by default the recorder's).
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe, like every AssertJ assertion; the recorder itself may keep recording.
 */
public final class EventRecorderAssert extends AbstractAssert<EventRecorderAssert, EventRecorder> {
  private final Duration timeout;

  EventRecorderAssert(EventRecorder actual, Duration timeout) {
    super(actual, EventRecorderAssert.class);
    this.timeout = timeout;
  }

  /** The same assertions, waiting up to {@code timeout} for outcomes. */
  public EventRecorderAssert within(Duration timeout) {
    return new EventRecorderAssert(actual, Objects.requireNonNull(timeout, "timeout"));
  }

  /** The confirmed publishes of {@code type} so far, decoded. */
  public <E> RecordedEventsAssert<E> published(Class<E> type) {
    isNotNull();
    return new RecordedEventsAssert<>(
        actual.published(type), "events of type '" + actual.typeName(type) + "' published");
  }

  /** The events of {@code type} handled so far by any subscription (one per handling), decoded. */
  public <E> RecordedEventsAssert<E> handled(Class<E> type) {
    isNotNull();
    return new RecordedEventsAssert<>(
        actual.handled(type), "events of type '" + actual.typeName(type) + "' handled");
  }

  /** The events of {@code type} handled so far by {@code subscription}, decoded. */
  public <E> RecordedEventsAssert<E> handledBy(String subscription, Class<E> type) {
    isNotNull();
    return new RecordedEventsAssert<>(
        actual.handled(subscription, type),
        "events of type '" + actual.typeName(type) + "' handled by '" + subscription + "'");
  }

  /** What became of event {@code eventId}, waiting for it to be handled or dead-lettered. */
  public EventOutcomeAssert event(String eventId) {
    isNotNull();
    Optional<RecordedDelivery> settled = actual.awaitSettled(eventId, timeout);
    return new EventOutcomeAssert(eventId, settled, timeout, actual.summary());
  }

  /** No subscription dead-lettered anything so far. */
  public EventRecorderAssert hasNoDeadLetters() {
    isNotNull();
    List<RecordedDelivery> parked = actual.deadLettered();
    if (!parked.isEmpty()) {
      failWithMessage("Expected no dead-lettered events but found %s", parked);
    }
    return this;
  }
}
