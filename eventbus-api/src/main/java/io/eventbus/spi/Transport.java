package io.eventbus.spi;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Moves {@link io.eventbus.codec.WireMessage}s between a bus and a broker (or memory). The bus does
 * encoding, decoding and the pipeline; a transport does routing, confirms, delivery and settlement.
 *
 * <h2>Thread safety</h2>
 *
 * Implementations are thread-safe: {@link #send} is called from any number of threads.
 *
 * <h2>Lifecycle</h2>
 *
 * The {@link io.eventbus.EventBus} given a transport owns it and calls {@link #close()} last, after
 * closing every subscription.
 */
public interface Transport extends AutoCloseable {
  /**
   * Sends a message to every subscription bound to its type. The stage completes normally once the
   * broker took responsibility for it (confirmed and routed to at least one queue), and otherwise
   * exceptionally with an {@link io.eventbus.PublishException}, always within a bounded time.
   */
  CompletionStage<Void> send(OutboundMessage message);

  /**
   * Declares what {@code spec} needs (queue, dead-letter queue, bindings) and starts delivering its
   * messages to {@code receiver}, on transport threads, up to {@code spec.concurrency()} at a time.
   * The receiver settles each message exactly once; if it throws instead, the transport requeues
   * the message.
   *
   * @throws io.eventbus.EventBusException if the subscription cannot be set up
   */
  TransportSubscription subscribe(SubscriptionSpec spec, Consumer<InboundMessage> receiver);

  /** Releases everything the transport opened. Idempotent. */
  @Override
  void close();
}
