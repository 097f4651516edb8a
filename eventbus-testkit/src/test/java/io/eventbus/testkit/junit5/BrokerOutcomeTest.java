package io.eventbus.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.broker.BrokerUnavailableException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A test that needs a broker and finds none fails on CI and is skipped elsewhere. */
class BrokerOutcomeTest {
  private static BrokerOutcome unavailable() {
    return BrokerOutcome.provide(
        () -> {
          throw new BrokerUnavailableException("nothing here");
        });
  }

  @Test
  void onCiAMissingBrokerFailsTheTest() {
    assertThatThrownBy(() -> unavailable().require(Map.of("CI", "true")::get))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("nothing here")
        .hasMessageContaining("CI=true");
  }

  @Test
  void elsewhereAMissingBrokerSkipsTheTestSayingHowToGetOne() {
    assertThatThrownBy(() -> unavailable().require(Map.of("CI", "false")::get))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("nothing here")
        .hasMessageContaining("rabbitmq-server -detached");
  }

  @Test
  void aProvidedBrokerIsUsedOnCiAndClosedWithTheOutcome() {
    AtomicBoolean closed = new AtomicBoolean();
    Broker broker =
        new Broker() {
          @Override
          public String uri() {
            return "amqp://guest:guest@127.0.0.1:5672";
          }

          @Override
          public String host() {
            return "127.0.0.1";
          }

          @Override
          public int port() {
            return 5672;
          }

          @Override
          public String description() {
            return "test";
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    BrokerOutcome outcome = BrokerOutcome.provide(() -> broker);

    assertThat(outcome.require(Map.of("CI", "true")::get)).isSameAs(broker);
    outcome.close();
    assertThat(closed).isTrue();
  }
}
