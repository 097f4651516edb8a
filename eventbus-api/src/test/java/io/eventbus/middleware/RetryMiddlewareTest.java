package io.eventbus.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.NonRetryable;
import io.eventbus.RetryPolicy;
import io.eventbus.codec.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryMiddlewareTest {
  static final class Permanent extends RuntimeException implements NonRetryable {}

  private final List<Duration> waits = new ArrayList<>();
  private final List<Integer> attempts = new ArrayList<>();

  private RetryMiddleware retry(RetryPolicy policy, double random) {
    RandomGenerator fixed =
        new RandomGenerator() {
          @Override
          public long nextLong() {
            throw new UnsupportedOperationException();
          }

          @Override
          public double nextDouble() {
            return random;
          }
        };
    return new RetryMiddleware(policy, waits::add, () -> fixed);
  }

  private static DeliveryContext delivery(int attempt) {
    return DeliveryContext.received(
        "s", new WireMessage(new byte[0], "application/json", Map.of()), false, attempt);
  }

  @Test
  void retriesUntilSuccessWaitingTheBackoffWithInjectedJitter() throws Exception {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(4)
            .backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
            .jitter(0.5)
            .build();

    retry(policy, 0.0)
        .handle(
            delivery(1),
            d -> {
              attempts.add(d.attempt());
              if (d.attempt() < 3) {
                throw new IllegalStateException("transient");
              }
            });

    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(waits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
  }

  @Test
  void attemptNumbersContinueFromTheDeliverysAndTheLastFailureIsRethrown() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).jitter(0).build();
    IllegalStateException last = new IllegalStateException("still down");

    assertThatThrownBy(
            () ->
                retry(policy, 0.3)
                    .handle(
                        delivery(4),
                        d -> {
                          attempts.add(d.attempt());
                          throw d.attempt() == 6 ? last : new IllegalStateException("down");
                        }))
        .isSameAs(last);
    assertThat(attempts).containsExactly(4, 5, 6);
    assertThat(waits).hasSize(2);
  }

  @Test
  void aPermanentFailureIsRethrownAfterOneAttemptWithoutWaiting() {
    assertThatThrownBy(
            () ->
                retry(RetryPolicy.defaults(), 0.5)
                    .handle(
                        delivery(1),
                        d -> {
                          attempts.add(d.attempt());
                          throw new Permanent();
                        }))
        .isInstanceOf(Permanent.class);
    assertThat(attempts).containsExactly(1);
    assertThat(waits).isEmpty();
  }
}
