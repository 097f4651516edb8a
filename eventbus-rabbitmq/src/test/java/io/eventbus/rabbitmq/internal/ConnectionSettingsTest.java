package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.rabbitmq.Credentials;
import io.eventbus.rabbitmq.CredentialsSource;
import io.eventbus.rabbitmq.TlsSettings;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {
  private static ConnectionSettings settings(String... uris) {
    return secured(null, null, uris);
  }

  private static ConnectionSettings secured(
      @Nullable TlsSettings tls, @Nullable CredentialsSource credentials, String... uris) {
    return new ConnectionSettings(
        List.of(uris),
        "orders",
        Duration.ofSeconds(3),
        Duration.ofMillis(2_500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        16 * 1024 * 1024,
        tls,
        credentials);
  }

  @Test
  void everyUriBecomesAnAddressWithTheDefaultPortOfItsScheme() {
    assertThat(
            settings(
                    "amqp://rabbit-1", "amqps://rabbit-2", "amqp://rabbit-3:5700", "amqp:///orders")
                .addresses())
        .extracting(Address::getHost, Address::getPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rabbit-1", 5672),
            org.assertj.core.groups.Tuple.tuple("rabbit-2", 5671),
            org.assertj.core.groups.Tuple.tuple("rabbit-3", 5700),
            org.assertj.core.groups.Tuple.tuple("localhost", 5672));
  }

  @Test
  void theFactoryTakesTheFirstUrisCredentialsAndLeavesRecoveryToTheTransport() {
    ConnectionFactory factory =
        settings("amqp://alice:s3cret@rabbit-1:5672/orders", "amqp://bob:other@rabbit-2")
            .connectionFactory();

    assertThat(factory.getUsername()).isEqualTo("alice");
    assertThat(factory.getPassword()).isEqualTo("s3cret");
    assertThat(factory.getVirtualHost()).isEqualTo("orders");
    assertThat(factory.isAutomaticRecoveryEnabled()).isFalse();
    assertThat(factory.isTopologyRecoveryEnabled()).isFalse();
    assertThat(factory.getConnectionTimeout()).isEqualTo(3_000);
    assertThat(factory.getHandshakeTimeout()).isEqualTo(3_000);
    assertThat(factory.getChannelRpcTimeout()).isEqualTo(3_000);
    assertThat(factory.getRequestedHeartbeat()).as("whole seconds").isEqualTo(2);
  }

  @Test
  void noDeliveryARabbitMqBrokerAcceptsCanMakeTheClientCloseTheConnection() throws Exception {
    // RabbitMQ's max_message_size is at most 512 MiB; amqp-client's own default (64 MiB) would
    // drop the whole consuming connection for a larger body, on every redelivery. amqp-client has
    // no getter for it.
    java.lang.reflect.Field limit =
        ConnectionFactory.class.getDeclaredField("maxInboundMessageBodySize");
    limit.setAccessible(true);

    assertThat((int) limit.get(settings("amqp://localhost").connectionFactory()))
        .isGreaterThan(512 * 1024 * 1024);
  }

  @Test
  void aVirtualHostPathOfSeveralSegmentsIsAConfigurationMistakeNamingTheSetting() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> settings("amqp://alice:s3cret@rabbit-1/a/b"))
        .isInstanceOf(io.eventbus.EventBusConfigurationException.class)
        .hasMessageStartingWith("RabbitTransport.Builder.uri: the path of an AMQP URI")
        .hasMessageContaining("%2F")
        .hasMessageNotContaining("s3cret");
    assertThat(settings("amqp://rabbit-1/a%2Fb").connectionFactory().getVirtualHost())
        .isEqualTo("a/b");
  }

  @Test
  void theInboundLimitIsValidated() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new ConnectionSettings(
                    List.of("amqp://localhost"),
                    "orders",
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(5),
                    200 * 1024 * 1024,
                    null,
                    null))
        .isInstanceOf(io.eventbus.EventBusConfigurationException.class)
        .hasMessageStartingWith("RabbitTransport.Builder.maxInboundMessageBytes");
  }

  @Test
  void aSubSecondHeartbeatIsRequestedAsOneSecond() {
    ConnectionSettings settings =
        new ConnectionSettings(
            List.of("amqp://localhost"),
            "orders",
            Duration.ofSeconds(3),
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            16 * 1024 * 1024,
            null,
            null);

    assertThat(settings.connectionFactory().getRequestedHeartbeat()).isEqualTo(1);
  }

  @Test
  void urisInMessagesAndToStringHaveNoPassword() {
    ConnectionSettings settings = settings("amqp://alice:s3cret@rabbit-1", "amqp://rabbit-2");

    assertThat(settings.redactedUris()).isEqualTo("amqp://alice@rabbit-1, amqp://rabbit-2");
    assertThat(settings.toString()).doesNotContain("s3cret").contains("connectionName=orders");
  }

  @Test
  void tlsSettingsNeedAnAmqpsUriAndNameTheSetting() {
    assertThatThrownBy(() -> secured(TlsSettings.defaults(), null, "amqp://rabbit-1"))
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("RabbitTransport.Builder.tls"))
        .hasMessageStartingWith("RabbitTransport.Builder.tls")
        .hasMessageContaining("amqps://");
  }

  @Test
  void anAmqpsUriGetsAVerifyingTlsContextEvenWithoutSettings() {
    ConnectionFactory factory = settings("amqps://rabbit-1").connectionFactory();

    assertThat(factory.isSSL()).isTrue();
  }

  @Test
  void aCredentialsSourceAndUserInfoInTheUriAreOneTooMany() {
    CredentialsSource source = CredentialsSource.of(Credentials.of("alice", "s3cret"));

    assertThatThrownBy(() -> secured(null, source, "amqp://alice:s3cret@rabbit-1"))
        .isInstanceOfSatisfying(
            EventBusConfigurationException.class,
            e -> assertThat(e.setting()).isEqualTo("RabbitTransport.Builder.credentials"))
        .hasMessageNotContaining("s3cret");
    assertThat(secured(null, source, "amqp://rabbit-1").connectionFactory().getUsername())
        .as("the source is asked, not the factory's defaults")
        .isEqualTo("alice");
    assertThat(secured(null, source, "amqp://rabbit-1").toString())
        .contains("credentials=from a CredentialsSource")
        .doesNotContain("s3cret");
  }
}
