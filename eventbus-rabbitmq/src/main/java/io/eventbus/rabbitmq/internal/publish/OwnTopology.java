package io.eventbus.rabbitmq.internal.publish;

import java.util.function.BiPredicate;

/**
 * What the publisher may ask of the transport about its own subscriptions when the broker returns
 * an event as unroutable: whether one of them is bound for it (then the return is a gap in the
 * topology, not an event nobody listens to), and to declare their topology again.
 *
 * <p>Thread safety: implementations must be thread-safe. {@link #bound} is asked on the
 * connection's I/O thread and must neither block nor be slow; {@link #redeclare} blocks on the
 * broker and is never called on an I/O thread (see {@link TopologyResends}).
 */
public interface OwnTopology {
  /** No subscriptions: every return is handled as {@code failUnroutable} says. */
  OwnTopology NONE = of((exchange, routingKey) -> false, () -> {});

  /**
   * Whether one of the transport's open subscriptions binds {@code exchange} for {@code
   * routingKey}, whether or not the binding exists at the broker right now.
   */
  boolean bound(String exchange, String routingKey);

  /**
   * Declares the exchange and every open subscription's queues and bindings again, waiting for the
   * broker. Failures are the implementation's to log; it must not throw for them.
   */
  void redeclare();

  /**
   * The topology that answers {@link #bound} with {@code bound} and redeclares with {@code
   * redeclare}.
   */
  static OwnTopology of(BiPredicate<String, String> bound, Runnable redeclare) {
    return new OwnTopology() {
      @Override
      public boolean bound(String exchange, String routingKey) {
        return bound.test(exchange, routingKey);
      }

      @Override
      public void redeclare() {
        redeclare.run();
      }
    };
  }
}
