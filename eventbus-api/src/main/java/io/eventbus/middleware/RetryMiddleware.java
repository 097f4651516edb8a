package io.eventbus.middleware;

import io.eventbus.RetryPolicy;
import io.eventbus.Sleeper;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * In-process retry driven by a resilience4j {@link Retry}: its asynchronous context decides whether
 * and how long to wait, and this link waits through an injected {@link Sleeper} (not resilience4j's
 * global sleep function), drawing jitter from an injected random source.
 */
final class RetryMiddleware implements Middleware {
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final Retry retry;

  RetryMiddleware(RetryPolicy policy, Sleeper sleeper, Supplier<RandomGenerator> random) {
    this.policy = policy;
    this.sleeper = sleeper;
    IntervalBiFunction<Object> interval =
        (attempt, outcome) -> policy.backoff(attempt, random.get().nextDouble()).toMillis();
    this.retry =
        Retry.of(
            "eventbus",
            RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .retryOnException(policy::isRetryable)
                .intervalBiFunction(interval)
                .build());
  }

  RetryPolicy policy() {
    return policy;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain chain) throws Exception {
    Retry.AsyncContext<Object> attempts = retry.asyncContext();
    for (int attempt = delivery.attempt(); ; attempt++) {
      try {
        chain.proceed(delivery.withAttempt(attempt));
        attempts.onComplete();
        return;
      } catch (Exception failure) {
        long waitMillis = attempts.onError(failure);
        if (waitMillis < 0) {
          throw failure;
        }
        sleeper.sleep(Duration.ofMillis(waitMillis));
      }
    }
  }

  @Override
  public String toString() {
    return "retry(" + policy + ")";
  }
}
