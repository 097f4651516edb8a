package io.eventbus.samples.orders;

import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.spi.DeadLetter;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.Transport;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The flow without a broker: every service gets a {@link InMemoryTransport#peer() peer} of one
 * in-memory transport, which routes, fans out, retries, redelivers and dead-letters as RabbitMQ
 * does.
 */
final class InMemoryEnvironment implements FlowEnvironment {
  private final InMemoryTransport broker = InMemoryTransport.create();

  @Override
  public String description() {
    return "the in-memory transport";
  }

  @Override
  public boolean inMemory() {
    return true;
  }

  @Override
  public Transport transport(String service) {
    return broker.peer();
  }

  @Override
  public long backlog(SubscriptionOptions subscription) {
    return broker.readyCount(subscription.name());
  }

  @Override
  public long deadLetterCount(String subscription) {
    return broker.deadLetters(subscription).size();
  }

  @Override
  public List<Parked> deadLetters(String subscription, Predicate<Parked> filter) {
    return broker.deadLetters(subscription).stream()
        .map(InMemoryEnvironment::parked)
        .filter(filter)
        .toList();
  }

  private static Parked parked(DeadLetter letter) {
    return new Parked(
        Objects.requireNonNullElse(letter.header(CloudEventsAttributes.CORRELATION_ID), ""),
        Objects.requireNonNullElse(letter.header(CloudEventsAttributes.TYPE), ""),
        Objects.requireNonNullElse(letter.reason(), ""),
        Parked.simpleName(Objects.requireNonNullElse(letter.errorType(), "")),
        Objects.requireNonNullElse(letter.errorMessage(), ""),
        attempts(letter.header(DeadLetterReason.HEADER_ATTEMPTS)));
  }

  private static int attempts(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    broker.close();
  }
}
