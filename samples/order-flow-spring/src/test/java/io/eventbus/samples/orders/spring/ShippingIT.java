package io.eventbus.samples.orders.spring;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.spring.boot.test.RecordEvents;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same behaviour as {@link ShippingInMemoryTest}, on the broker the testkit provides (skipped
 * without one, failed on CI), in a namespace of its own that it deletes afterwards.
 */
@EventBusTest(transport = TransportKind.BROKER)
@ExtendWith(
    ShippingIT.DeleteNamespace.class) // before Spring's extension: runs after it closed the context
@SpringBootTest(properties = "order-flow.demo.orders=0")
@RecordEvents
@DirtiesContext
class ShippingIT extends ShippingBehaviour {
  private static final String NAMESPACE = "ofs-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static @Nullable Broker broker;

  @BeforeAll
  static void broker(Broker provided) {
    broker = provided;
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("eventbus.rabbitmq.uri", () -> broker.uri());
    registry.add("order-flow.namespace", () -> NAMESPACE);
  }

  /**
   * Deletes the namespace's queues and exchanges once Spring closed the context ({@link
   * DirtiesContext}), so that no consumer declares them again.
   */
  static final class DeleteNamespace implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      if (broker != null) {
        delete(broker.uri());
      }
    }
  }

  private static void delete(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    try (Connection connection = factory.newConnection("order-flow-spring-it-cleanup")) {
      for (String subscription : List.of(NAMESPACE + ".shipping", NAMESPACE + ".tracking")) {
        for (String suffix :
            List.of(
                "",
                ".dlq",
                ".p0",
                ".p1",
                ".p2",
                ".p3",
                ".retry.500",
                ".retry.2000",
                ".retry.1000",
                ".retry.10000",
                ".retry.60000")) {
          try (Channel channel = connection.createChannel()) {
            channel.queueDelete(subscription + suffix);
          }
        }
      }
      for (String exchange :
          List.of(NAMESPACE, NAMESPACE + ".shipping.partitions", NAMESPACE + ".shipping.unkeyed")) {
        try (Channel channel = connection.createChannel()) {
          channel.exchangeDelete(exchange);
        }
      }
    }
  }
}
