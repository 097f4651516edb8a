package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.RequestPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Our policies translated into resilience4j's configuration, setting by setting. */
class BreakersTest {
  private final ManualScheduler time = new ManualScheduler(Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void aSubscriptionPolicyWithACountWindowBecomesACountBasedBreakerOnTheGivenClock() {
    CircuitBreakerPolicy policy =
        CircuitBreakerPolicy.builder()
            .failureRateThreshold(40)
            .slidingWindow(12)
            .minimumCalls(6)
            .openDuration(Duration.ofSeconds(45))
            .probes(3)
            .build();

    CircuitBreaker breaker = Breakers.forSubscription("payments", policy, time);
    CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();

    assertThat(breaker.getName()).isEqualTo("payments");
    assertThat(config.getFailureRateThreshold()).isEqualTo(40f);
    assertThat(config.getSlidingWindowType()).isEqualTo(SlidingWindowType.COUNT_BASED);
    assertThat(config.getSlidingWindowSize()).isEqualTo(12);
    assertThat(config.getMinimumNumberOfCalls()).isEqualTo(6);
    assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(3);
    assertThat(config.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
    assertThat(config.isWritableStackTraceEnabled()).isFalse();
    assertThat(config.getRecordExceptionPredicate().test(new IllegalStateException())).isTrue();
    assertThat(config.getClock()).isSameAs(time);
  }

  @Test
  void aSubscriptionPolicyWithATimeWindowBecomesATimeBasedBreakerInSeconds() {
    CircuitBreakerPolicy policy =
        CircuitBreakerPolicy.builder().slidingWindow(Duration.ofMinutes(2)).minimumCalls(5).build();

    CircuitBreakerConfig config =
        Breakers.forSubscription("payments", policy, time).getCircuitBreakerConfig();

    assertThat(config.getSlidingWindowType()).isEqualTo(SlidingWindowType.TIME_BASED);
    assertThat(config.getSlidingWindowSize()).isEqualTo(120);
    assertThat(config.getMinimumNumberOfCalls()).isEqualTo(5);
  }

  @Test
  void aRequestTypesSettingsBecomeACountBasedBreakerNamedForTheType() {
    RequestPolicy.CircuitBreakerSettings settings =
        new RequestPolicy.CircuitBreakerSettings(30, 8, 4, Duration.ofSeconds(7), 2);

    CircuitBreaker breaker = Breakers.forRequests("stock.reserve.v1", settings);
    CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();

    assertThat(breaker.getName()).isEqualTo("stock.reserve.v1");
    assertThat(config.getFailureRateThreshold()).isEqualTo(30f);
    assertThat(config.getSlidingWindowType()).isEqualTo(SlidingWindowType.COUNT_BASED);
    assertThat(config.getSlidingWindowSize()).isEqualTo(8);
    assertThat(config.getMinimumNumberOfCalls()).isEqualTo(4);
    assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
    assertThat(config.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
  }
}
