package io.eventbus.testkit.broker;

import java.net.URI;

/** A broker that was running already: closing it does nothing. */
record ExternalBroker(String uri, String host, int port, String description) implements Broker {
  static ExternalBroker of(String uri, String description) {
    URI parsed = URI.create(uri);
    String host = parsed.getHost() == null ? "localhost" : parsed.getHost();
    boolean tls = "amqps".equals(parsed.getScheme());
    int port = parsed.getPort() != -1 ? parsed.getPort() : tls ? 5671 : 5672;
    return new ExternalBroker(uri, host, port, description);
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Broker[" + description + "]";
  }
}
