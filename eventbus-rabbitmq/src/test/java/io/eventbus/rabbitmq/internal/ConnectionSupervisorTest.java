package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.testkit.Await;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Recovery goes on whatever a listener of the connection does. */
class ConnectionSupervisorTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<ShutdownListener> shutdownListeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger opened = new AtomicInteger();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /**
   * A connection that only records its shutdown listener: the broker side is played by the test.
   */
  private Connection connection() {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (self, method, args) ->
                switch (method.getName()) {
                  case "addShutdownListener" -> {
                    shutdownListeners.add((ShutdownListener) args[0]);
                    yield null;
                  }
                  case "addBlockedListener" -> null;
                  case "getAddress" -> InetAddress.getLoopbackAddress();
                  case "getPort" -> 5672;
                  case "isOpen" -> true;
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  case "toString" -> "FakeConnection";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  @Test
  void aListenerThatThrowsWhenTheConnectionIsLostDoesNotStopItsRecovery() throws Exception {
    ConnectionFactory factory =
        new ConnectionFactory() {
          @Override
          public Connection newConnection(List<Address> addresses, String name) {
            opened.incrementAndGet();
            return connection();
          }
        };
    ConnectionSupervisor supervisor =
        new ConnectionSupervisor(
            factory,
            List.of(new Address("localhost")),
            "test",
            "amqp://localhost",
            null,
            scheduler,
            Duration.ofMillis(50));
    AtomicInteger toldAfterTheFailingOne = new AtomicInteger();
    supervisor.addListener(
        new ConnectionSupervisor.Listener() {
          @Override
          public void connected(Connection connection) {}

          @Override
          public void disconnected() {
            throw new IllegalStateException("a listener's bug");
          }
        });
    supervisor.addListener(
        new ConnectionSupervisor.Listener() {
          @Override
          public void connected(Connection connection) {}

          @Override
          public void disconnected() {
            toldAfterTheFailingOne.incrementAndGet();
          }
        });
    supervisor.connect();

    shutdownListeners
        .get(0)
        .shutdownCompleted(new ShutdownSignalException(true, false, null, null));

    Await.until(Duration.ofSeconds(5), () -> opened.get() == 2, "a new connection");
    Await.until(
        Duration.ofSeconds(5),
        () -> supervisor.state() == ConnectionState.CONNECTED,
        "connected again");
    assertThat(toldAfterTheFailingOne).hasValue(1);
    assertThat(supervisor.recoveries()).isEqualTo(1);
    supervisor.close();
  }
}
