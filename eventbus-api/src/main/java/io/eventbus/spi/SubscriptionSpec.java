package io.eventbus.spi;

import java.util.Objects;
import java.util.Set;

/**
 * What a transport needs to set up a subscription.
 *
 * @param name the subscription's (and its queue's) name
 * @param eventTypes the type names to bind
 * @param concurrency how many messages may be processed at once
 * @param prefetch how many unacknowledged messages the broker may send to each consumer
 */
public record SubscriptionSpec(String name, Set<String> eventTypes, int concurrency, int prefetch) {
  /** Checks for nulls and copies {@code eventTypes}. */
  public SubscriptionSpec {
    Objects.requireNonNull(name, "name");
    eventTypes = Set.copyOf(eventTypes);
  }
}
