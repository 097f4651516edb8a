package io.eventbus.testkit;

import io.eventbus.codec.WireMessage;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.InboundMessage;
import java.util.concurrent.atomic.AtomicBoolean;

/** One in-memory delivery; the first settlement wins, later ones are ignored (as on RabbitMQ). */
final class InMemoryInbound implements InboundMessage {
  private final InMemoryBroker broker;
  private final InMemoryBroker.Queue queue;
  private final InMemoryBroker.Envelope envelope;
  private final AtomicBoolean settled = new AtomicBoolean();

  InMemoryInbound(
      InMemoryBroker broker, InMemoryBroker.Queue queue, InMemoryBroker.Envelope envelope) {
    this.broker = broker;
    this.queue = queue;
    this.envelope = envelope;
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
  public void deadLetter(DeadLetterReason reason) {
    if (settled.compareAndSet(false, true)) {
      broker.deadLetter(queue, envelope, reason);
    }
  }
}
