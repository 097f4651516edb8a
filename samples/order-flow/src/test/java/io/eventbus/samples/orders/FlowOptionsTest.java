package io.eventbus.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlowOptionsTest {
  @Test
  void defaultsToFortyOrdersAtFourPerSecondOnTheLocalBroker() {
    FlowOptions options = FlowOptions.parse();

    assertThat(options).isEqualTo(FlowOptions.defaults());
    assertThat(options.host()).isEqualTo("127.0.0.1");
    assertThat(options.port()).isEqualTo(5672);
    assertThat(options.orders()).isEqualTo(40);
    assertThat(options.duration()).isNull();
  }

  @Test
  void readsEveryOption() {
    FlowOptions options =
        FlowOptions.parse(
            "--uri",
            "amqps://u:secret@broker.example:5999/vh",
            "--orders",
            "7",
            "--rate",
            "2.5",
            "--duration",
            "30s",
            "--role",
            "Shipping",
            "--namespace",
            "demo-2",
            "--payment-outage",
            "1500ms",
            "--plain");

    assertThat(options.host()).isEqualTo("broker.example");
    assertThat(options.port()).isEqualTo(5999);
    assertThat(options.orders()).isEqualTo(7);
    assertThat(options.rate()).isEqualTo(2.5);
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.role()).isEqualTo(Role.SHIPPING);
    assertThat(options.namespace()).isEqualTo("demo-2");
    assertThat(options.paymentOutage()).isEqualTo(Duration.ofMillis(1500));
    assertThat(options.plain()).isTrue();
    assertThat(FlowOptions.parse("--payment-outage", "0").paymentOutage()).isZero();
  }

  @Test
  void aDurationAloneLiftsTheOrderLimit() {
    assertThat(FlowOptions.parse("--duration", "1m").orders()).isEqualTo(Integer.MAX_VALUE);
    assertThat(FlowOptions.parse("--duration", "1m", "--orders", "5").orders()).isEqualTo(5);
  }

  @Test
  void understandsShortAndIsoDurations() {
    assertThat(FlowOptions.duration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(FlowOptions.duration("20")).isEqualTo(Duration.ofSeconds(20));
    assertThat(FlowOptions.duration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(FlowOptions.duration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void badOptionsFailNamingTheOptionWithoutThePassword() {
    assertThatThrownBy(() -> FlowOptions.parse("--orders", "many"))
        .hasMessageContaining("--orders");
    assertThatThrownBy(() -> FlowOptions.parse("--rate", "0")).hasMessageContaining("--rate");
    assertThatThrownBy(() -> FlowOptions.parse("--role", "accounting"))
        .hasMessageContaining("--role");
    assertThatThrownBy(() -> FlowOptions.parse("--uri", "http://u:secret@host"))
        .hasMessageContaining("amqp://")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> FlowOptions.parse("--orders")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> FlowOptions.parse("--speed", "3")).hasMessageContaining("--speed");
    assertThatThrownBy(() -> FlowOptions.parse("--payment-outage", "soon"))
        .hasMessageContaining("--payment-outage");
  }

  @Test
  void redactsThePassword() {
    assertThat(FlowOptions.redacted("amqp://guest:guest@127.0.0.1:5672"))
        .isEqualTo("amqp://guest@127.0.0.1:5672");
  }
}
