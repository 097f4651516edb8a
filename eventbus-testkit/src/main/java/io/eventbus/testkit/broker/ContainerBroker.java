package io.eventbus.testkit.broker;

import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * A RabbitMQ container started through Testcontainers. This class is only loaded when the optional
 * module is on the class path and a Docker engine answers. The image is {@code
 * EVENTBUS_TEST_RABBITMQ_IMAGE} or {@value #DEFAULT_IMAGE}.
 */
final class ContainerBroker implements Broker {
  static final String DEFAULT_IMAGE = "rabbitmq:3.13";

  private final RabbitMQContainer container;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ContainerBroker(RabbitMQContainer container) {
    this.container = container;
  }

  static ContainerBroker start() {
    String image = System.getenv().getOrDefault("EVENTBUS_TEST_RABBITMQ_IMAGE", DEFAULT_IMAGE);
    RabbitMQContainer container = new RabbitMQContainer(image);
    container.start();
    return new ContainerBroker(container);
  }

  @Override
  public String uri() {
    return "amqp://"
        + container.getAdminUsername()
        + ":"
        + container.getAdminPassword()
        + "@"
        + host()
        + ":"
        + port();
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getAmqpPort();
  }

  @Override
  public String description() {
    return "a Testcontainers RabbitMQ container (" + container.getDockerImageName() + ")";
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      container.stop();
    }
  }
}
