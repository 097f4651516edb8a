package io.eventbus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.testkit.junit5.Requirements;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** docs/testing.md's example of {@link Requirements}, for a server a test of yours needs. */
class RequirementsExampleTest {
  @Test
  void aTestThatNeedsAServerRequiresIt() {
    // tag::require[]
    Requirements.require(
        "RabbitMQ on 127.0.0.1:5672",
        answers("127.0.0.1", 5672),
        "Start it (sudo rabbitmq-server -detached) or set EVENTBUS_TEST_AMQP_URI.");
    // end::require[]
    assertThat(answers("127.0.0.1", 5672)).isTrue();
  }

  // tag::answers[]
  static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
  // end::answers[]
}
