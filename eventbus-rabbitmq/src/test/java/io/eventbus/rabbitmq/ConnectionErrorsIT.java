package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.EventBusException;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connecting with a wrong virtual host or a malformed URI says why, as an eventbus exception. */
@EventBusTest(transport = TransportKind.BROKER)
class ConnectionErrorsIT {
  private static String withPath(EventBusFixture fixture, String path) {
    URI broker = URI.create(fixture.broker().uri());
    return broker.getScheme()
        + "://"
        + (broker.getRawUserInfo() == null ? "" : broker.getRawUserInfo() + "@")
        + broker.getHost()
        + ":"
        + broker.getPort()
        + path;
  }

  @Test
  void aVirtualHostThatDoesNotExistIsNamedNotNull(EventBusFixture fixture) {
    String uri = withPath(fixture, "/no-such-vhost-11");

    assertThatThrownBy(
            () -> RabbitTransport.builder().uri(uri).connectTimeout(Duration.ofSeconds(5)).build())
        .isInstanceOf(EventBusException.class)
        .hasMessageContaining("no-such-vhost-11")
        .hasMessageContaining("the virtual host in the URI does not exist")
        .hasMessageNotContaining(": null");
  }

  @Test
  void aVirtualHostPathOfTwoSegmentsIsAConfigurationMistakeBeforeAnythingConnects(
      EventBusFixture fixture) {
    String uri = withPath(fixture, "/two/segments");

    assertThatThrownBy(() -> RabbitTransport.builder().uri(uri).build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("RabbitTransport.Builder.uri: the path of an AMQP URI");
  }
}
