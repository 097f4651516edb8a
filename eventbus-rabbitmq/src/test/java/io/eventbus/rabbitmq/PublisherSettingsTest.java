package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PublisherSettingsTest {
  @Test
  void theDefaultsAreTheDocumentedOnes() {
    PublisherSettings defaults = PublisherSettings.defaults();

    assertThat(defaults)
        .isEqualTo(
            new PublisherSettings(
                Duration.ofSeconds(30),
                10_000,
                64L * 1024 * 1024,
                4_096,
                3,
                Duration.ofMillis(100),
                false,
                4 * 1024 * 1024))
        .isEqualTo(PublisherSettings.builder().build());
  }

  @Test
  void toBuilderKeepsEverySettingAndWithCopiesChangeOnlyTheirOwn() {
    PublisherSettings custom =
        PublisherSettings.builder()
            .timeout(Duration.ofSeconds(5))
            .maxBufferedEvents(7)
            .maxBufferedBytes(700)
            .maxOutstandingConfirms(3)
            .nackRetries(0)
            .nackBackoff(Duration.ofSeconds(1))
            .failUnroutable(true)
            .maxMessageBytes(600)
            .build();

    assertThat(custom.toBuilder().build()).isEqualTo(custom);
    assertThat(custom.withMaxMessageBytes(500).maxMessageBytes()).isEqualTo(500);
    assertThat(custom.withTimeout(Duration.ofSeconds(9)))
        .isEqualTo(custom.toBuilder().timeout(Duration.ofSeconds(9)).build());
    assertThat(custom.withMaxBufferedEvents(8).maxBufferedEvents()).isEqualTo(8);
    assertThat(custom.withMaxBufferedBytes(800).maxBufferedBytes()).isEqualTo(800);
    assertThat(custom.withMaxOutstandingConfirms(4).maxOutstandingConfirms()).isEqualTo(4);
    assertThat(custom.withNackRetries(2).nackRetries()).isEqualTo(2);
    assertThat(custom.withNackBackoff(Duration.ofMillis(5)).nackBackoff())
        .isEqualTo(Duration.ofMillis(5));
    assertThat(custom.withFailUnroutable(false).withFailUnroutable(true)).isEqualTo(custom);
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        mistake("zero timeout", b -> b.timeout(Duration.ZERO), "PublisherSettings.timeout"),
        mistake(
            "negative timeout",
            b -> b.timeout(Duration.ofSeconds(-1)),
            "PublisherSettings.timeout"),
        mistake(
            "no buffered events",
            b -> b.maxBufferedEvents(0),
            "PublisherSettings.maxBufferedEvents"),
        mistake(
            "no buffered bytes", b -> b.maxBufferedBytes(0), "PublisherSettings.maxBufferedBytes"),
        mistake(
            "no window",
            b -> b.maxOutstandingConfirms(0),
            "PublisherSettings.maxOutstandingConfirms"),
        mistake("negative retries", b -> b.nackRetries(-1), "PublisherSettings.nackRetries"),
        mistake(
            "zero back-off", b -> b.nackBackoff(Duration.ZERO), "PublisherSettings.nackBackoff"),
        mistake("no message size", b -> b.maxMessageBytes(0), "PublisherSettings.maxMessageBytes"),
        mistake(
            "a message size near the broker's own limit",
            b -> b.maxMessageBytes(100 * 1024 * 1024),
            "PublisherSettings.maxMessageBytes"));
  }

  private static Arguments mistake(
      String name, UnaryOperator<PublisherSettings.Builder> setting, String named) {
    return Arguments.argumentSet(name, setting, named);
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void aValueOutOfRangeFailsTheBuildNamingTheSetting(
      UnaryOperator<PublisherSettings.Builder> setting, String named) {
    PublisherSettings.Builder builder = setting.apply(PublisherSettings.builder());

    assertThatThrownBy(builder::build)
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(named + " must be");
  }

  @Test
  void aWithCopyIsValidatedLikeTheBuilder() {
    assertThatThrownBy(() -> PublisherSettings.defaults().withMaxOutstandingConfirms(-5))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessage("PublisherSettings.maxOutstandingConfirms must be at least 1, was -5");
  }

  @Test
  void aNullIsRefusedByTheSetterNamingIt() {
    assertThatThrownBy(() -> PublisherSettings.builder().timeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
  }
}
