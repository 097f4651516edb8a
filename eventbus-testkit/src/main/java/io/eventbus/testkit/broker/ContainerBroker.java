package io.eventbus.testkit.broker;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A RabbitMQ container started through Testcontainers, which is reached by reflection: it is an
 * optional dependency, and its jars split a package ({@code org.testcontainers.containers}), so
 * they cannot be on the module path and this module cannot require them. On the class path, where
 * tests run, it works as a direct call would. This class is only used when the module is on the
 * class path and a Docker engine answers. The image is {@code EVENTBUS_TEST_RABBITMQ_IMAGE} or
 * {@value #DEFAULT_IMAGE}.
 */
final class ContainerBroker implements Broker {
  static final String DEFAULT_IMAGE = "rabbitmq:3.13";
  static final String CONTAINER_CLASS = "org.testcontainers.rabbitmq.RabbitMQContainer";

  /** The handles of the container's methods this class calls. */
  record Api(
      MethodHandle create,
      MethodHandle start,
      MethodHandle stop,
      MethodHandle host,
      MethodHandle amqpPort,
      MethodHandle user,
      MethodHandle password,
      MethodHandle image) {
    /** Looks every method up once; fails if the class or a method is missing. */
    static Api lookup() throws ReflectiveOperationException {
      Class<?> type = Class.forName(CONTAINER_CLASS, true, ContainerBroker.class.getClassLoader());
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodType returnsString = MethodType.methodType(String.class);
      return new Api(
          lookup.findConstructor(type, MethodType.methodType(void.class, String.class)),
          lookup.findVirtual(type, "start", MethodType.methodType(void.class)),
          lookup.findVirtual(type, "stop", MethodType.methodType(void.class)),
          lookup.findVirtual(type, "getHost", returnsString),
          lookup.findVirtual(type, "getAmqpPort", MethodType.methodType(Integer.class)),
          lookup.findVirtual(type, "getAdminUsername", returnsString),
          lookup.findVirtual(type, "getAdminPassword", returnsString),
          lookup.findVirtual(type, "getDockerImageName", returnsString));
    }
  }

  private final Api api;
  private final Object container;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ContainerBroker(Api api, Object container) {
    this.api = api;
    this.container = container;
  }

  static ContainerBroker start() {
    String image = System.getenv().getOrDefault("EVENTBUS_TEST_RABBITMQ_IMAGE", DEFAULT_IMAGE);
    try {
      Api api = Api.lookup();
      Object container = api.create().invoke(image);
      api.start().invoke(container);
      return new ContainerBroker(api, container);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("Could not start a RabbitMQ container: " + e, e);
    }
  }

  private String text(MethodHandle getter) {
    try {
      return (String) getter.invoke(container);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String uri() {
    return "amqp://" + text(api.user()) + ":" + text(api.password()) + "@" + host() + ":" + port();
  }

  @Override
  public String host() {
    return text(api.host());
  }

  @Override
  public int port() {
    try {
      return (Integer) api.amqpPort().invoke(container);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String description() {
    return "a Testcontainers RabbitMQ container (" + text(api.image()) + ")";
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        api.stop().invoke(container);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
