package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import io.eventbus.codec.JacksonEventCodec;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * The peer in the comparison: Spring AMQP configured as its reference documentation recommends for
 * confirmed publishing and for a listener container, doing the same work as the raw client and
 * eventbus.
 *
 * <ul>
 *   <li>Publishing: a {@link CachingConnectionFactory} with {@code ConfirmType.CORRELATED} and
 *       publisher returns, a {@link RabbitTemplate} with {@code mandatory} and a confirm callback,
 *       one {@link CorrelationData} with a unique id per message. The window is a semaphore
 *       released by the confirm callback, as for the other two clients.
 *   <li>Consuming: a {@link SimpleMessageListenerContainer} (the default container type) with one
 *       consumer, the same prefetch, {@link AcknowledgeMode#AUTO} (the container acknowledges after
 *       the listener returns) and a listener that decodes the JSON body into the event class with
 *       the same Jackson codec eventbus uses.
 * </ul>
 */
final class SpringAmqpPeer {
  static final String CLIENT = "spring-amqp";

  private SpringAmqpPeer() {}

  /** Publishes {@code events} copies of the raw client's message and waits for every confirm. */
  static Measurement.Result publish(
      BenchBroker broker,
      String queueType,
      String routingKey,
      int events,
      int window,
      byte[] body,
      AMQP.BasicProperties properties)
      throws Exception {
    Measurement measurement = new Measurement();
    CachingConnectionFactory connections = new CachingConnectionFactory(broker.factory());
    connections.setConnectionNameStrategy(factory -> "bench-spring");
    connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
    connections.setPublisherReturns(true);
    try {
      RabbitTemplate template = new RabbitTemplate(connections);
      template.setMandatory(true);
      Semaphore permits = new Semaphore(window);
      CountDownLatch confirmed = new CountDownLatch(events);
      AtomicInteger failed = new AtomicInteger();
      template.setReturnsCallback(returned -> failed.incrementAndGet());
      template.setConfirmCallback(
          (correlation, ack, cause) -> {
            if (correlation instanceof TimedCorrelation timed) {
              measurement.latencyMicros.recordValue((System.nanoTime() - timed.startNanos) / 1_000);
            }
            if (!ack) {
              failed.incrementAndGet();
            }
            permits.release();
            confirmed.countDown();
          });
      measurement.start();
      for (int i = 0; i < events; i++) {
        permits.acquire();
        TimedCorrelation correlation = new TimedCorrelation(Integer.toString(i), System.nanoTime());
        template.send(
            BenchBroker.EXCHANGE, routingKey, new Message(body, toSpring(properties)), correlation);
      }
      if (!confirmed.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(CLIENT + ": " + confirmed.getCount() + " not confirmed");
      }
      measurement.stop();
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " Spring AMQP publishes failed");
      }
    } finally {
      connections.destroy();
    }
    return measurement.result(CLIENT, queueType, events);
  }

  /**
   * Consumes {@code events} waiting events from {@code queue}, measured from the container start.
   */
  static Measurement.Result consume(
      BenchBroker broker, String queue, String queueType, int events, int prefetch)
      throws Exception {
    Measurement measurement = new Measurement();
    JacksonEventCodec codec = JacksonEventCodec.create();
    CachingConnectionFactory connections = new CachingConnectionFactory(broker.factory());
    connections.setConnectionNameStrategy(factory -> "bench-spring");
    connections.createConnection().close();
    SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connections);
    try {
      CountDownLatch handled = new CountDownLatch(events);
      AtomicInteger failed = new AtomicInteger();
      container.setQueueNames(queue);
      container.setConcurrentConsumers(1);
      container.setPrefetchCount(prefetch);
      container.setAcknowledgeMode(AcknowledgeMode.AUTO);
      container.setMessageListener(
          message -> {
            try {
              codec.decode(message.getBody(), BenchOrderPlaced.class);
            } catch (Exception e) {
              failed.incrementAndGet();
            }
            handled.countDown();
          });
      measurement.start();
      container.start();
      if (!handled.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(CLIENT + ": " + handled.getCount() + " not handled");
      }
      measurement.stop();
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " Spring AMQP deliveries failed to decode");
      }
    } finally {
      container.stop();
      container.destroy();
      connections.destroy();
    }
    return measurement.result(CLIENT, queueType, events);
  }

  /** The same properties and headers as the raw client's, as a Spring user would build them. */
  private static MessageProperties toSpring(AMQP.BasicProperties properties) {
    MessageProperties spring = new MessageProperties();
    spring.setContentType(properties.getContentType());
    spring.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
    spring.setMessageId(properties.getMessageId());
    spring.setType(properties.getType());
    spring.setAppId(properties.getAppId());
    for (Map.Entry<String, Object> header : properties.getHeaders().entrySet()) {
      spring.setHeader(header.getKey(), header.getValue());
    }
    return spring;
  }

  /** Correlation data that remembers when its message was sent. */
  private static final class TimedCorrelation extends CorrelationData {
    final long startNanos;

    TimedCorrelation(String id, long startNanos) {
      super(id);
      this.startNanos = startNanos;
    }
  }
}
