package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.Health;
import io.eventbus.rabbitmq.ConnectionState;
import io.eventbus.rabbitmq.PublisherSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportHealthTest {
  private static final PublisherSettings SETTINGS =
      PublisherSettings.builder().maxBufferedEvents(100).maxBufferedBytes(1_000).build();

  private static Health.Component connection(ConnectionState state) {
    return TransportHealth.connection(
        "connection:publish",
        state,
        Duration.ofMillis(1_500),
        "127.0.0.1:5672",
        2,
        Duration.ZERO,
        null);
  }

  @Test
  void aConnectionIsUpWhenConnectedDegradedWhenBlockedAndDownOtherwise() {
    assertThat(connection(ConnectionState.CONNECTED).status()).isEqualTo(Health.Status.UP);
    assertThat(connection(ConnectionState.BLOCKED).status()).isEqualTo(Health.Status.DEGRADED);
    assertThat(connection(ConnectionState.BLOCKED).detail())
        .isEqualTo("blocked by the broker (resource alarm) for 1500 ms");
    assertThat(connection(ConnectionState.RECOVERING).status()).isEqualTo(Health.Status.DOWN);
    assertThat(connection(ConnectionState.RECOVERING).detail())
        .isEqualTo("connection lost 1500 ms ago; reconnecting");
    assertThat(connection(ConnectionState.CLOSED).status()).isEqualTo(Health.Status.DOWN);
  }

  @Test
  void aRecoveringConnectionSaysWhyItsLastAttemptFailed() {
    String refused =
        "Could not connect to amqp://orders@127.0.0.1:5700: ACCESS_REFUSED - Login was refused";
    Health.Component recovering =
        TransportHealth.connection(
            "connection:consume",
            ConnectionState.RECOVERING,
            Duration.ofMillis(2_000),
            null,
            0,
            Duration.ZERO,
            refused);

    assertThat(recovering.status()).isEqualTo(Health.Status.DOWN);
    assertThat(recovering.detail())
        .isEqualTo(
            "connection lost 2000 ms ago; reconnecting; the last attempt failed: " + refused);
    assertThat(recovering.details()).containsEntry("lastFailure", refused);
  }

  @Test
  void aConnectionNotYetOpenedInTheBackgroundSaysSoAndWhyItsLastAttemptFailed() {
    Health.Component connecting =
        TransportHealth.connection(
            "connection:publish",
            ConnectionState.RECOVERING,
            Duration.ofMillis(700),
            null,
            0,
            Duration.ZERO,
            "Connection refused",
            false);

    assertThat(connecting.status()).isEqualTo(Health.Status.DOWN);
    assertThat(connecting.detail())
        .isEqualTo(
            "not connected yet, connecting for 700 ms; the last attempt failed: Connection refused");
    assertThat(connecting.details()).containsEntry("lastFailure", "Connection refused");
  }

  @Test
  void aConnectionsDetailsCarryItsFigures() {
    assertThat(connection(ConnectionState.CONNECTED).details())
        .containsEntry("state", "CONNECTED")
        .containsEntry("broker", "127.0.0.1:5672")
        .containsEntry("recoveries", 2L)
        .containsEntry("inStateFor", Duration.ofMillis(1_500));
  }

  @Test
  void thePublisherIsDegradedFromNinetyPercentOfEitherBound() {
    assertThat(TransportHealth.publisher(SETTINGS, false, 89, 10, 0, 0, 0, 0).status())
        .isEqualTo(Health.Status.UP);
    assertThat(TransportHealth.publisher(SETTINGS, false, 90, 10, 0, 0, 0, 0).status())
        .isEqualTo(Health.Status.DEGRADED);
    assertThat(TransportHealth.publisher(SETTINGS, false, 1, 900, 0, 0, 0, 0).status())
        .isEqualTo(Health.Status.DEGRADED);
    assertThat(TransportHealth.publisher(SETTINGS, true, 0, 0, 0, 0, 0, 0).status())
        .isEqualTo(Health.Status.DOWN);
    assertThat(TransportHealth.publisher(SETTINGS, false, 3, 30, 4, 5, 6, 7).details())
        .containsEntry("bufferedEvents", 3)
        .containsEntry("bufferedBytes", 30L)
        .containsEntry("outstandingConfirms", 4)
        .containsEntry("resentAfterRecovery", 5L)
        .containsEntry("nackRetries", 6L)
        .containsEntry("unroutableAccepted", 7L);
  }
}
