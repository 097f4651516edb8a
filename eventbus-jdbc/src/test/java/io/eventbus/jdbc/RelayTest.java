package io.eventbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.PublishNotConfirmedException;
import io.eventbus.UnroutableEventException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RelayTest {
  @Test
  void theBackOffGrowsWithEachFailureUpToFiveSecondsWithJitter() {
    for (int i = 0; i < 100; i++) {
      assertThat(Relay.backoff(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(Relay.backoff(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
      assertThat(Relay.backoff(30)).isBetween(Duration.ofMillis(2_500), Duration.ofSeconds(5));
    }
  }

  @Test
  void onlyARefusalForGoodParksARowEverythingElseIsRetried() {
    assertThat(
            Relay.permanent(
                UnroutableEventException.returned("e", "t", "exchange 'x'", "NO_ROUTE")))
        .isTrue();
    assertThat(Relay.permanent(new IllegalArgumentException("header too long"))).isTrue();
    assertThat(Relay.permanent(PublishNotConfirmedException.nacked("e", "t"))).isFalse();
    assertThat(Relay.permanent(new TimeoutException("not confirmed"))).isFalse();
  }
}
