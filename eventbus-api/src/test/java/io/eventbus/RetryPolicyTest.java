package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  static final class InvalidOrder extends RuntimeException implements NonRetryable {}

  static final class SubclassOfListed extends IllegalArgumentException {}

  @Test
  void ordinaryExceptionsAreRetryable() {
    RetryPolicy policy = RetryPolicy.defaults();

    assertThat(policy.isRetryable(new IllegalStateException())).isTrue();
    assertThat(policy.isRetryable(new UncheckedIOException(new java.io.IOException()))).isTrue();
    assertThat(policy.isRetryable(new Exception())).isTrue();
  }

  @Test
  void theMarkerListedTypesTheirSubtypesDecodingAndErrorsAreNot() {
    RetryPolicy policy = RetryPolicy.builder().nonRetryable(IllegalArgumentException.class).build();

    assertThat(policy.isRetryable(new InvalidOrder())).isFalse();
    assertThat(policy.isRetryable(new IllegalArgumentException())).isFalse();
    assertThat(policy.isRetryable(new SubclassOfListed())).isFalse();
    assertThat(policy.isRetryable(new EventDecodingException("i", "t", "bad", null))).isFalse();
    assertThat(policy.isRetryable(UnknownEventTypeException.unregisteredName("i", "t"))).isFalse();
    assertThat(policy.isRetryable(new InterruptedException())).isFalse();
    assertThat(policy.isRetryable(new OutOfMemoryError())).isFalse();
  }

  static final class GatewayInMaintenance extends RuntimeException {}

  @Test
  void aDependencyThatRefusesCallsIsNeitherRetryableNorPermanent() {
    RetryPolicy policy =
        RetryPolicy.builder().dependencyUnavailable(GatewayInMaintenance.class).build();
    io.github.resilience4j.circuitbreaker.CircuitBreaker open =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("gateway");
    open.transitionToOpenState();

    for (Throwable refusal :
        new Throwable[] {
          new DependencyUnavailableException("gateway", Duration.ofSeconds(3), null),
          io.github.resilience4j.circuitbreaker.CallNotPermittedException
              .createCallNotPermittedException(open),
          new GatewayInMaintenance(),
          new java.util.concurrent.CompletionException(new GatewayInMaintenance()),
          RequestException.of(
              "r-1", "stock.reserve.v1", RequestException.Reason.CIRCUIT_OPEN, "open", null)
        }) {
      assertThat(policy.isDependencyUnavailable(refusal)).as("%s", refusal).isTrue();
      assertThat(policy.isRetryable(refusal)).as("%s", refusal).isFalse();
    }
    assertThat(RetryPolicy.defaults().isDependencyUnavailable(new GatewayInMaintenance()))
        .isFalse();
    assertThat(policy.isDependencyUnavailable(new IllegalStateException())).isFalse();
    assertThat(
            policy.isDependencyUnavailable(
                RequestException.of(
                    "r-1",
                    "stock.reserve.v1",
                    RequestException.Reason.DEADLINE_EXCEEDED,
                    "late",
                    null)))
        .as("only an open breaker means the dependency refuses calls")
        .isFalse();
  }

  @Test
  void backoffGrowsExponentiallyUpToTheMaximumWithinTheJitterBand() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .backoff(Duration.ofMillis(100), 2.0, Duration.ofMillis(350))
            .jitter(0.5)
            .build();

    assertThat(policy.backoff(1, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2, 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoff(3, 0.5)).isEqualTo(Duration.ofMillis(350));
    assertThat(policy.backoff(2, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2, 0.999_999)).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void toBuilderKeepsEverySetting() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(7)
            .backoff(Duration.ofMillis(10), 3.0, Duration.ofSeconds(1))
            .jitter(0.1)
            .nonRetryable(IllegalArgumentException.class)
            .build();

    RetryPolicy copy = policy.toBuilder().build();

    assertThat(copy.maxAttempts()).isEqualTo(7);
    assertThat(copy.initialBackoff()).isEqualTo(Duration.ofMillis(10));
    assertThat(copy.multiplier()).isEqualTo(3.0);
    assertThat(copy.maxBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(copy.jitter()).isEqualTo(0.1);
    assertThat(copy.nonRetryable()).containsExactly(IllegalArgumentException.class);
  }

  @Test
  void invalidSettingsFailAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessage("maxAttempts must be between 1 and 100, was 0")
        .extracting("setting")
        .isEqualTo("maxAttempts");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .backoff(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(EventBusConfigurationException.class)
        .extracting("setting")
        .isEqualTo("backoff");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .backoff(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1))
                    .build())
        .extracting("setting")
        .isEqualTo("backoff");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5).build())
        .isInstanceOf(EventBusConfigurationException.class)
        .extracting("setting")
        .isEqualTo("jitter");
  }
}
