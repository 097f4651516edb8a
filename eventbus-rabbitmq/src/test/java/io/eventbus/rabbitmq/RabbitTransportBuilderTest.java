package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The builder's validation, which runs before anything connects: no broker needed. */
class RabbitTransportBuilderTest {
  static Stream<Arguments> mistakes() {
    return Stream.of(
        mistake("not an AMQP scheme", b -> b.uri("http://localhost:5672"), "uri"),
        mistake("unparseable URI", b -> b.uri("amqp://alice:s3cret@bad host"), "uri"),
        mistake("zero heartbeat", b -> b.heartbeat(Duration.ZERO), "heartbeat"),
        mistake(
            "heartbeat beyond AMQP's", b -> b.heartbeat(Duration.ofSeconds(65_536)), "heartbeat"),
        mistake("zero connect timeout", b -> b.connectTimeout(Duration.ZERO), "connectTimeout"),
        mistake(
            "connect timeout beyond an int of millis",
            b -> b.connectTimeout(Duration.ofDays(30)),
            "connectTimeout"),
        mistake(
            "negative recovery interval",
            b -> b.recoveryInterval(Duration.ofSeconds(-1)),
            "recoveryInterval"),
        mistake("zero shutdown timeout", b -> b.shutdownTimeout(Duration.ZERO), "shutdownTimeout"),
        mistake(
            "zero health check interval",
            b -> b.healthCheckInterval(Duration.ZERO),
            "healthCheckInterval"));
  }

  private static Arguments mistake(
      String name, UnaryOperator<RabbitTransport.Builder> setting, String named) {
    return Arguments.argumentSet(name, setting, named);
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void anInvalidSettingFailsTheBuildBeforeConnectingAndNamesIt(
      UnaryOperator<RabbitTransport.Builder> setting, String named) {
    RabbitTransport.Builder builder = setting.apply(RabbitTransport.builder());

    assertThatThrownBy(builder::build)
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith("RabbitTransport.Builder." + named)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aNullIsRefusedByTheSetterNamingIt() {
    assertThatThrownBy(() -> RabbitTransport.builder().heartbeat(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("heartbeat");
    assertThatThrownBy(() -> RabbitTransport.builder().publisher(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("publisher");
  }

  @Test
  void theSettingsKeepEveryBrokerInOrderAndNeverShowAPassword() {
    var settings =
        RabbitTransport.builder()
            .uri("amqp://alice:s3cret@rabbit-1:5672/orders")
            .uri("amqp://alice:s3cret@rabbit-2")
            .connectionName("orders")
            .heartbeat(Duration.ofSeconds(7))
            .settings();

    assertThat(settings.uris())
        .containsExactly(
            "amqp://alice:s3cret@rabbit-1:5672/orders", "amqp://alice:s3cret@rabbit-2");
    assertThat(settings.heartbeat()).isEqualTo(Duration.ofSeconds(7));
    assertThat(settings.toString())
        .contains("amqp://alice@rabbit-1:5672/orders, amqp://alice@rabbit-2")
        .doesNotContain("s3cret");
  }

  @Test
  void withoutAUriTheLocalBrokerIsUsed() {
    assertThat(RabbitTransport.builder().settings().uris())
        .isEqualTo(List.of("amqp://localhost:5672"));
  }
}
