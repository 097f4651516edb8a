package io.eventbus.internal;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.RequestPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Duration;

/**
 * Builds resilience4j circuit breakers from our policies: a subscription's {@link
 * CircuitBreakerPolicy} and a request type's {@link RequestPolicy.CircuitBreakerSettings}. Neither
 * breaker leaves the open state by itself: its owner decides when to probe.
 */
final class Breakers {
  private Breakers() {}

  /**
   * The breaker of subscription {@code name}: it records every failure it is told of, keeps no
   * stack traces, and reads {@code clock} for its time-based window.
   */
  static CircuitBreaker forSubscription(String name, CircuitBreakerPolicy policy, Clock clock) {
    CircuitBreakerConfig.Builder config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(policy.failureRateThreshold())
            .minimumNumberOfCalls(policy.minimumCalls())
            .waitDurationInOpenState(policy.openDuration())
            .permittedNumberOfCallsInHalfOpenState(policy.probes())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .recordException(failure -> true)
            .writableStackTraceEnabled(false)
            .clock(clock);
    Duration time = policy.slidingWindowTime();
    if (time != null) {
      config.slidingWindow(
          (int) time.toSeconds(), policy.minimumCalls(), SlidingWindowType.TIME_BASED);
    } else {
      config.slidingWindow(
          policy.slidingWindowCalls(), policy.minimumCalls(), SlidingWindowType.COUNT_BASED);
    }
    return CircuitBreaker.of(name, config.build());
  }

  /** The breaker of request type {@code name}: a count-based window of the settings' size. */
  static CircuitBreaker forRequests(String name, RequestPolicy.CircuitBreakerSettings settings) {
    return CircuitBreaker.of(
        name,
        CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(settings.windowSize())
            .minimumNumberOfCalls(settings.minimumCalls())
            .failureRateThreshold(settings.failureRateThreshold())
            .waitDurationInOpenState(settings.openDuration())
            .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .build());
  }
}
