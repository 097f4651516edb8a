/**
 * The RabbitMQ (AMQP 0-9-1) transport of eventbus. Exported: {@code io.eventbus.rabbitmq} only; its
 * implementation, {@code io.eventbus.rabbitmq.internal}, is not. Provides the {@link
 * io.eventbus.spi.TransportProvider} for {@code amqp://} and {@code amqps://} URIs.
 */
module io.eventbus.rabbitmq {
  requires transitive io.eventbus;
  requires com.rabbitmq.client;
  // OAuth2ClientCredentials asks the token endpoint (its builder takes an HttpClient) and reads
  // the JSON answer.
  requires transitive java.net.http;
  requires com.fasterxml.jackson.databind;
  requires io.github.resilience4j.core;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.eventbus.rabbitmq;

  provides io.eventbus.spi.TransportProvider with
      io.eventbus.rabbitmq.internal.RabbitTransportProvider;
}
