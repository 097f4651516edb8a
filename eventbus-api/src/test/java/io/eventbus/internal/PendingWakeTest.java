package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pending wake-up on a manual clock and scheduler: nothing here sleeps. */
class PendingWakeTest {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

  private final ManualScheduler time = new ManualScheduler(START);
  private final PendingWake wake = new PendingWake(time, time);
  private final List<String> woken = new ArrayList<>();

  private void onWake(String name, long token) {
    woken.add(name + (wake.fire(token) ? " latest" : " replaced"));
  }

  @Test
  void itIsDueAfterTheWaitAndForgottenOnceItFires() {
    assertThat(wake.schedule(Duration.ofSeconds(10), token -> onWake("a", token))).isTrue();
    assertThat(wake.due()).isEqualTo(START.plusSeconds(10));

    time.advance(Duration.ofSeconds(9));
    assertThat(woken).isEmpty();
    time.advance(Duration.ofSeconds(1));

    assertThat(woken).containsExactly("a latest");
    assertThat(wake.due()).isNull();
  }

  @Test
  void aLaterWakeUpReplacesAnEarlierOneWhichIsCancelled() {
    wake.schedule(Duration.ofSeconds(10), token -> onWake("a", token));
    time.advance(Duration.ofSeconds(5));

    assertThat(wake.schedule(Duration.ofSeconds(10), token -> onWake("b", token)))
        .as("one was pending")
        .isFalse();
    assertThat(wake.due()).isEqualTo(START.plusSeconds(15));
    assertThat(time.pending()).isEqualTo(1);
    time.advance(Duration.ofSeconds(10));

    assertThat(woken).containsExactly("b latest");
  }

  @Test
  void aReplacedWakeUpThatRunsAnywayLearnsItIsNotTheLatest() {
    List<Long> tokens = new ArrayList<>();
    wake.schedule(Duration.ofSeconds(10), tokens::add);
    wake.schedule(Duration.ofSeconds(20), tokens::add);
    time.advance(Duration.ofSeconds(20));

    assertThat(tokens).hasSize(1);
    assertThat(wake.fire(tokens.get(0) - 1)).as("the first one's token").isFalse();
    assertThat(wake.due()).as("still pending").isEqualTo(START.plusSeconds(20));
    assertThat(wake.fire(tokens.get(0))).isTrue();
    assertThat(wake.due()).isNull();
  }

  @Test
  void clearCancelsAndForgetsWhileCancelKeepsTheDueTime() {
    wake.schedule(Duration.ofSeconds(10), token -> onWake("a", token));
    wake.cancel();
    assertThat(wake.due()).isEqualTo(START.plusSeconds(10));
    assertThat(time.pending()).isZero();

    wake.schedule(Duration.ofSeconds(10), token -> onWake("b", token));
    wake.clear();
    assertThat(wake.due()).isNull();
    time.advance(Duration.ofSeconds(30));
    assertThat(woken).isEmpty();
  }
}
