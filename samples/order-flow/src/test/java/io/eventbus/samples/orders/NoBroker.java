package io.eventbus.samples.orders;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * For flows that must run in memory: a loopback port nothing listens on, and options that use it.
 */
final class NoBroker {
  private NoBroker() {}

  /** A loopback port that was free a moment ago, so that nothing answers there. */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * {@code args} parsed, as if no {@code --uri} had been given and no broker answered at the
   * default URI: the flow runs in memory.
   */
  static FlowOptions options(String... args) throws IOException {
    FlowOptions parsed = FlowOptions.parse(args);
    return new FlowOptions(
        "amqp://guest:guest@127.0.0.1:" + closedPort(),
        parsed.orders(),
        parsed.rate(),
        parsed.duration(),
        parsed.role(),
        parsed.namespace(),
        parsed.paymentOutage(),
        parsed.plain(),
        parsed.jdbc(),
        parsed.uriGiven());
  }
}
