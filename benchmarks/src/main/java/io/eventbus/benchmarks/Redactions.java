package io.eventbus.benchmarks;

import java.net.URI;

/** What of a broker URI may be printed: never the credentials. */
final class Redactions {
  private Redactions() {}

  /** {@code host:port} of an AMQP URI. */
  static String hostAndPort(String uri) {
    URI parsed = URI.create(uri);
    return parsed.getHost() + ":" + (parsed.getPort() == -1 ? 5672 : parsed.getPort());
  }
}
