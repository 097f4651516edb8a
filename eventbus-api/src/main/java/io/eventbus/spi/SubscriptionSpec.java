package io.eventbus.spi;

import io.eventbus.SubscriptionOptions.Ordering;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a transport needs to set up a subscription.
 *
 * @param name the subscription's (and its queue's) name
 * @param eventTypes the type names to bind
 * @param concurrency how many messages may be processed at once (not used when partitioned)
 * @param prefetch how many unacknowledged messages the broker may send to each consumer
 * @param redeliveryDelays the delays {@link InboundMessage#redeliverAfter} may be called with, in
 *     the order they are used; the transport prepares a delayed route back for each
 * @param ordering whether the subscription is consumed in queue order, per partition, or freely
 * @param stallTimeout how long the subscription's queue may hold ready messages while none is
 *     delivered before {@link TransportSubscription#health()} calls it stalled
 */
public record SubscriptionSpec(
    String name,
    Set<String> eventTypes,
    int concurrency,
    int prefetch,
    List<Duration> redeliveryDelays,
    Ordering ordering,
    Duration stallTimeout) {
  /** The stall timeout of a spec that does not name one: one minute. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(1);

  /** Checks for nulls and copies the collections. */
  public SubscriptionSpec {
    Objects.requireNonNull(name, "name");
    eventTypes = Set.copyOf(eventTypes);
    redeliveryDelays = List.copyOf(redeliveryDelays);
    Objects.requireNonNull(ordering, "ordering");
    Objects.requireNonNull(stallTimeout, "stallTimeout");
  }

  /** A spec with the {@link #DEFAULT_STALL_TIMEOUT}. */
  public SubscriptionSpec(
      String name,
      Set<String> eventTypes,
      int concurrency,
      int prefetch,
      List<Duration> redeliveryDelays,
      Ordering ordering) {
    this(
        name, eventTypes, concurrency, prefetch, redeliveryDelays, ordering, DEFAULT_STALL_TIMEOUT);
  }

  /** An unordered subscription without delayed redelivery. */
  public SubscriptionSpec(String name, Set<String> eventTypes, int concurrency, int prefetch) {
    this(name, eventTypes, concurrency, prefetch, List.of(), Ordering.NONE);
  }

  /** A copy under another name, with every other field kept. */
  public SubscriptionSpec withName(String name) {
    return new SubscriptionSpec(
        name, eventTypes, concurrency, prefetch, redeliveryDelays, ordering, stallTimeout);
  }
}
