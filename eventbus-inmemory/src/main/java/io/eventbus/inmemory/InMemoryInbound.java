package io.eventbus.inmemory;

import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One in-memory delivery; the first settlement wins, later ones are ignored (as on RabbitMQ). */
final class InMemoryInbound implements InboundMessage {
  private final InMemoryBroker broker;
  private final InMemoryBroker.Queue queue;
  private final InMemoryBroker.Envelope envelope;
  private final List<Duration> delays;
  private final AtomicBoolean settled = new AtomicBoolean();

  InMemoryInbound(
      InMemoryBroker broker,
      InMemoryBroker.Queue queue,
      InMemoryBroker.Envelope envelope,
      List<Duration> delays) {
    this.broker = broker;
    this.queue = queue;
    this.envelope = envelope;
    this.delays = delays;
  }

  @Override
  public WireMessage message() {
    return envelope.message();
  }

  @Override
  public boolean redelivered() {
    return envelope.redelivered();
  }

  boolean isSettled() {
    return settled.get();
  }

  @Override
  public void ack() {
    if (settled.compareAndSet(false, true)) {
      broker.ack(queue);
    }
  }

  @Override
  public void requeue() {
    if (settled.compareAndSet(false, true)) {
      broker.requeue(queue, envelope);
    }
  }

  @Override
  public void redeliverAfter(Duration delay, Map<String, String> headers) {
    if (!delays.contains(delay)) {
      throw new IllegalArgumentException(
          "No retry queue for a delay of " + delay + "; the subscription has " + delays);
    }
    if (settled.compareAndSet(false, true)) {
      broker.redeliverAfter(queue, envelope, delay, headers);
    }
  }

  @Override
  public void defer(Map<String, String> headers) {
    if (settled.compareAndSet(false, true)) {
      broker.defer(queue, envelope, headers);
    }
  }

  @Override
  public void deadLetter(DeadLetterReason reason) {
    if (settled.compareAndSet(false, true)) {
      broker.deadLetter(queue, envelope, reason);
    }
  }
}
