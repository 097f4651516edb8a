package io.eventbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsOnceTheConditionHoldsAndTheFirstAcceptedValue() {
    AtomicInteger polls = new AtomicInteger();

    Await.until(Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3, "three polls");
    int value =
        Await.until(Duration.ofSeconds(5), polls::incrementAndGet, n -> n >= 5, "five polls");

    assertThat(value).isEqualTo(5);
  }

  @Test
  void failsAfterTheTimeoutNamingWhatWasAwaitedAndTheLastValue() {
    assertThatThrownBy(() -> Await.until(Duration.ofMillis(30), () -> 7, n -> n > 7, "more than 7"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("Expected more than 7 within PT0.03S; last seen: 7");
  }

  @Test
  void anExceptionFromTheConditionFailsAtOnce() {
    assertThatThrownBy(
            () ->
                Await.until(
                    Duration.ofSeconds(30),
                    () -> {
                      throw new IOException("connection refused");
                    },
                    "a queue count"))
        .isInstanceOf(AssertionError.class)
        .hasRootCauseInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                Await.until(
                    Duration.ofSeconds(30),
                    () -> {
                      throw new IllegalStateException("broken");
                    },
                    "anything"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anInterruptedWaitFailsAndKeepsTheInterrupt() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until(Duration.ofSeconds(30), () -> false, "never"))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("Interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
