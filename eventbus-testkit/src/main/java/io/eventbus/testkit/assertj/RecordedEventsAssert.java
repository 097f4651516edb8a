package io.eventbus.testkit.assertj;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.FactoryBasedNavigableListAssert;
import org.assertj.core.api.ObjectAssert;

/**
 * Assertions on a list of recorded events of one type (published or handled), decoded: every list
 * assertion of AssertJ ({@code hasSize}, {@code containsExactly}, {@code extracting}, {@code
 * first()}, ...), with a description naming what the list is.
 *
 * <h2>Thread safety</h2>
 *
 * Not thread-safe, like every AssertJ assertion; the list is a snapshot.
 *
 * @param <E> the event class
 */
public final class RecordedEventsAssert<E>
    extends FactoryBasedNavigableListAssert<
        RecordedEventsAssert<E>, List<? extends E>, E, ObjectAssert<E>> {

  RecordedEventsAssert(List<? extends E> events, String description) {
    super(events, RecordedEventsAssert.class, ObjectAssert::new);
    as(description);
  }

  @Override
  protected RecordedEventsAssert<E> newAbstractIterableAssert(Iterable<? extends E> iterable) {
    List<E> copy = new ArrayList<>();
    iterable.forEach(copy::add);
    return new RecordedEventsAssert<>(copy, descriptionText());
  }
}
