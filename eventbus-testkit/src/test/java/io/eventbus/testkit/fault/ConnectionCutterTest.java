package io.eventbus.testkit.fault;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the cutter refuses without a broker; its faults are tested in eventbus-rabbitmq's ITs. */
class ConnectionCutterTest {
  @Test
  void onlyLoopbackTargetsAreAccepted() {
    assertThatThrownBy(() -> ConnectionCutter.start("192.0.2.1", 5672))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
