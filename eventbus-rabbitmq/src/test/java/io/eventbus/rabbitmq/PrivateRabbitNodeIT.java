package io.eventbus.rabbitmq;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.testkit.EventRecorder;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The testkit's {@link PrivateRabbitNode}: one really started, used by a bus, driven with
 * rabbitmqctl, and stopped.
 */
class PrivateRabbitNodeIT {
  @EventType("tk.node.ping.v1")
  record Ping(String text) {}

  @Test
  void aPrivateNodeStartsServesABusAndStopsWithoutTouchingTheSharedNode() {
    Requirements.require(
        "rabbitmq-server under /usr/lib/rabbitmq/lib",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    boolean sharedWasUp = answers("127.0.0.1", 5672);
    Path folder;
    int port;
    try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
      folder = node.folder();
      port = node.port();
      assertThat(node.nodeName()).matches("eventbus-tk-\\d@localhost");
      assertThat(port).isBetween(5700, 5709);
      assertThat(node.uri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + port);

      EventRecorder recorder = EventRecorder.create();
      try (EventBus bus =
          EventBus.builder()
              .transport(recorder.record(RabbitTransport.builder().uri(node.uri()).build()))
              .subscribe(
                  SubscriptionOptions.named("pings"),
                  Handlers.builder().on(Ping.class, (event, context) -> {}).build())
              .build()) {
        bus.publishAndWait(new Ping("hello"));
        assertThat(recorder.awaitHandled(Ping.class, 1, Duration.ofSeconds(10)))
            .containsExactly(new Ping("hello"));
      }
      assertThat(node.rabbitmqctl("list_queues", "name", "--quiet")).contains("pings");
    }

    assertThat(answers("127.0.0.1", port)).isFalse();
    assertThat(Files.exists(folder)).isFalse();
    assertThat(answers("127.0.0.1", 5672)).isEqualTo(sharedWasUp);
  }

  private static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
