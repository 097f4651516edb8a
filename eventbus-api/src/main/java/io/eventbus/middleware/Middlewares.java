package io.eventbus.middleware;

import io.eventbus.RetryPolicy;
import io.eventbus.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The catalogue of built-in middleware. The pipeline places them at their {@link Stage} by itself;
 * these factories are for using a link elsewhere (for example a tighter timeout just around one
 * handler) or in tests.
 *
 * <pre>{@code
 * SubscriptionOptions.builder("billing")
 *     .middleware(Middlewares.timeout(Duration.ofSeconds(2)))
 *     .build();
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Every middleware returned here is immutable and serves any number of deliveries concurrently.
 */
public final class Middlewares {
  private Middlewares() {}

  /**
   * Puts {@code eventbus.event_id}, {@code eventbus.event_type} and {@code eventbus.subscription}
   * into the SLF4J MDC while the rest of the chain runs, and restores the previous values after.
   */
  public static Middleware logging() {
    return LoggingMiddleware.INSTANCE;
  }

  /**
   * Runs the rest of the chain up to {@link RetryPolicy#maxAttempts()} times while it throws a
   * retryable exception, waiting the policy's back-off (with jitter) in between on the calling
   * thread. Each attempt sees {@link DeliveryContext#attempt()} one higher. The last failure, or
   * the first permanent one, is rethrown.
   */
  public static Middleware retry(RetryPolicy policy) {
    return retry(policy, Sleeper.system());
  }

  /** Like {@link #retry(RetryPolicy)}, waiting through {@code sleeper}. */
  public static Middleware retry(RetryPolicy policy, Sleeper sleeper) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(sleeper, "sleeper");
    return new RetryMiddleware(policy, sleeper, ThreadLocalRandom::current);
  }

  /**
   * Fails an attempt that takes longer than {@code timeout} with a {@link
   * java.util.concurrent.TimeoutException}. The rest of the chain runs on the calling thread, which
   * is interrupted when the time is up; a handler that ignores the interrupt is waited for, and its
   * attempt still fails. A shared daemon thread keeps the time.
   *
   * @throws io.eventbus.EventBusConfigurationException if {@code timeout} is not positive
   */
  public static Middleware timeout(Duration timeout) {
    return new TimeoutMiddleware(timeout, TimeoutMiddleware.sharedTimer());
  }

  /** Like {@link #timeout(Duration)}, keeping the time on {@code timer}. */
  public static Middleware timeout(Duration timeout, ScheduledExecutorService timer) {
    return new TimeoutMiddleware(timeout, Objects.requireNonNull(timer, "timer"));
  }

  /**
   * One middleware running {@code middleware} in order, the first outermost. No middleware gives
   * one that just proceeds; a single one is returned as is.
   */
  public static Middleware composite(List<Middleware> middleware) {
    List<Middleware> links = List.copyOf(middleware);
    if (links.isEmpty()) {
      return (delivery, chain) -> chain.proceed(delivery);
    }
    if (links.size() == 1) {
      return links.get(0);
    }
    return (delivery, chain) -> proceed(links, 0, delivery, chain);
  }

  private static void proceed(
      List<Middleware> links, int index, DeliveryContext delivery, Middleware.Chain last)
      throws Exception {
    if (index == links.size()) {
      last.proceed(delivery);
    } else {
      links.get(index).handle(delivery, next -> proceed(links, index + 1, next, last));
    }
  }
}
