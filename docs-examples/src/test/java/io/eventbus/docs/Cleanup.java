package io.eventbus.docs;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** Deletes what an example declared on the shared broker, with the raw client. */
final class Cleanup {
  private Cleanup() {}

  /** Deletes {@code queue}, the queues named {@code queue + suffix}, and {@code exchange}. */
  static void delete(String uri, String exchange, String queue, String... suffixes)
      throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    try (Connection connection = factory.newConnection("docs-examples-cleanup");
        Channel channel = connection.createChannel()) {
      channel.queueDelete(queue);
      for (String suffix : suffixes) {
        channel.queueDelete(queue + suffix);
      }
      channel.exchangeDelete(exchange);
    }
  }
}
