package io.eventbus.samples.orders;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Whether anything listens where the broker should be: a plain TCP connect, no AMQP. */
final class BrokerProbe {
  private BrokerProbe() {}

  static boolean answers(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return true;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }
}
