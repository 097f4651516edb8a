package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventBusConfigurationException;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.middleware.Middleware;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.SubscriptionCustomizer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;

/**
 * Makes a subscription's options from, in this order (later wins): the defaults, its {@link
 * EventSubscription} annotation, the properties {@code eventbus.subscriptions.<name>.*}, and the
 * {@link SubscriptionCustomizer} beans. An idempotent subscription gets the inbox's middleware
 * first, before the customizers add theirs, so that their middleware runs inside its transaction.
 *
 * <p>The options are validated once, by {@link SubscriptionOptions.Builder#build()}; a failure is
 * reported under the name of whatever set the invalid value last (the property, the annotation's
 * attribute, or a customizer).
 */
final class SubscriptionOptionsFactory {
  private static final String CUSTOMIZER = "a SubscriptionCustomizer bean";

  private final EventBusProperties properties;
  private final UnaryOperator<String> placeholders;
  private final List<SubscriptionCustomizer> customizers;
  private final @Nullable Supplier<@Nullable Middleware> inbox;

  /**
   * A factory; {@code inbox} gives the inbox middleware of idempotent subscriptions (creating the
   * inbox), or is or gives null when the application has none: then an idempotent subscription
   * fails the start.
   */
  SubscriptionOptionsFactory(
      EventBusProperties properties,
      UnaryOperator<String> placeholders,
      List<SubscriptionCustomizer> customizers,
      @Nullable Supplier<@Nullable Middleware> inbox) {
    this.properties = properties;
    this.placeholders = placeholders;
    this.customizers = List.copyOf(customizers);
    this.inbox = inbox;
  }

  SubscriptionOptionsFactory(
      EventBusProperties properties,
      UnaryOperator<String> placeholders,
      List<SubscriptionCustomizer> customizers) {
    this(properties, placeholders, customizers, null);
  }

  /** The subscription name an annotation gives, its placeholders resolved. */
  String name(EventSubscription annotation) {
    return placeholders.apply(annotation.value()).trim();
  }

  /**
   * The options of subscription {@code name}; {@code annotation} may be null (a bean in the default
   * subscription), and {@code source} names where it came from in error messages.
   */
  SubscriptionOptions options(String name, @Nullable EventSubscription annotation, String source) {
    SubscriptionOptions.Builder builder = SubscriptionOptions.builder(name);
    // The builder's setting names (as EventBusConfigurationException.setting() gives them) and
    // where each was set last.
    Map<String, String> origins = new HashMap<>();
    origins.put("name", "subscription name '" + name + "' of " + source);
    String idempotentFrom = null;
    if (annotation != null) {
      String where = "@EventSubscription(\"" + name + "\") on " + source;
      applyAnnotation(builder, annotation, where, origins);
      if (annotation.idempotent()) {
        idempotentFrom = where + " idempotent";
      }
    }
    EventBusProperties.Subscription configured = properties.subscriptions().get(name);
    if (configured != null) {
      String prefix = "eventbus.subscriptions." + name + ".";
      applyProperties(builder, configured, prefix, origins);
      if (configured.idempotent() != null) {
        idempotentFrom = configured.idempotent() ? prefix + "idempotent" : null;
      }
    }
    if (idempotentFrom != null) {
      Middleware middleware = inbox == null ? null : inbox.get();
      if (middleware == null) {
        throw new EventBusConfigurationException(
            idempotentFrom,
            idempotentFrom
                + ": an idempotent subscription needs the inbox, which needs"
                + " io.eventbus:eventbus-jdbc and spring-jdbc on the class path, a DataSource bean,"
                + " and eventbus.inbox.enabled not false");
      }
      builder.middleware(middleware);
    }
    if (!customizers.isEmpty()) {
      for (SubscriptionCustomizer customizer : customizers) {
        customizer.customize(name, builder);
      }
      origins.replaceAll((setting, where) -> where + " or " + CUSTOMIZER);
    }
    return Settings.build(builder::build, origins::get);
  }

  private void applyAnnotation(
      SubscriptionOptions.Builder builder,
      EventSubscription annotation,
      String where,
      Map<String, String> origins) {
    if (annotation.concurrency() != -1) {
      builder.concurrency(annotation.concurrency());
      origins.put("concurrency", where + " concurrency");
    }
    if (annotation.prefetch() != -1) {
      builder.prefetch(annotation.prefetch());
      origins.put("prefetch", where + " prefetch");
    }
    if (annotation.ordering().length > 0) {
      builder.ordering(SubscriptionOptions.Ordering.valueOf(annotation.ordering()[0].name()));
      origins.put("concurrency", where + " ordering/concurrency");
    }
    if (annotation.redeliveryDelays().length > 0) {
      Settings.apply(
          where + " redeliveryDelays",
          () -> {
            Duration[] delays = new Duration[annotation.redeliveryDelays().length];
            for (int i = 0; i < delays.length; i++) {
              delays[i] = duration(annotation.redeliveryDelays()[i]);
            }
            builder.redeliveryDelays(delays);
          });
      origins.put("redeliveryDelays", where + " redeliveryDelays");
    }
    if (!annotation.handlerTimeout().isEmpty()) {
      Settings.apply(
          where + " handlerTimeout",
          () -> builder.handlerTimeout(duration(annotation.handlerTimeout())));
      origins.put("handlerTimeout", where + " handlerTimeout");
    }
    if (!annotation.stallTimeout().isEmpty()) {
      Settings.apply(
          where + " stallTimeout", () -> builder.stallTimeout(duration(annotation.stallTimeout())));
      origins.put("stallTimeout", where + " stallTimeout");
    }
  }

  private static void applyProperties(
      SubscriptionOptions.Builder builder,
      EventBusProperties.Subscription configured,
      String prefix,
      Map<String, String> origins) {
    if (configured.concurrency() != null) {
      builder.concurrency(configured.concurrency());
      origins.put("concurrency", prefix + "concurrency");
    }
    if (configured.prefetch() != null) {
      builder.prefetch(configured.prefetch());
      origins.put("prefetch", prefix + "prefetch");
    }
    if (configured.ordering() != null) {
      builder.ordering(SubscriptionOptions.Ordering.valueOf(configured.ordering().name()));
      origins.put("concurrency", prefix + "ordering/concurrency");
    }
    if (configured.redeliveryDelays() != null) {
      builder.redeliveryDelays(configured.redeliveryDelays().toArray(Duration[]::new));
      origins.put("redeliveryDelays", prefix + "redelivery-delays");
    }
    if (configured.handlerTimeout() != null) {
      builder.handlerTimeout(configured.handlerTimeout());
      origins.put("handlerTimeout", prefix + "handler-timeout");
    }
    if (configured.stallTimeout() != null) {
      builder.stallTimeout(configured.stallTimeout());
      origins.put("stallTimeout", prefix + "stall-timeout");
    }
    if (configured.concurrencyLimit() != null) {
      builder.concurrencyLimit(configured.concurrencyLimit());
      origins.put("concurrencyLimit", prefix + "concurrency-limit");
    }
    EventBusProperties.RateLimit rateLimit = configured.rateLimit();
    if (rateLimit.events() != null) {
      builder.rateLimit(
          rateLimit.events(), rateLimit.per() != null ? rateLimit.per() : Duration.ofSeconds(1));
      origins.put("rateLimit", prefix + "rate-limit.events/per");
    } else if (rateLimit.per() != null) {
      throw new EventBusConfigurationException(
          prefix + "rate-limit.per",
          prefix + "rate-limit.per needs " + prefix + "rate-limit.events, the events per period");
    }
    EventBusProperties.CircuitBreaker breaker = configured.circuitBreaker();
    if (breaker.wanted()) {
      builder.circuitBreaker(circuitBreaker(breaker, prefix + "circuit-breaker."));
    }
    EventBusProperties.Retry retry = configured.retry();
    if (retry.maxAttempts() != null
        || retry.initialBackoff() != null
        || retry.multiplier() != null
        || retry.maxBackoff() != null
        || retry.jitter() != null) {
      // Nothing before the properties sets a retry policy: change the defaults.
      RetryPolicy defaults = RetryPolicy.defaults();
      RetryPolicy.Builder changed = defaults.toBuilder();
      if (retry.maxAttempts() != null) {
        changed.maxAttempts(retry.maxAttempts());
      }
      if (retry.initialBackoff() != null
          || retry.multiplier() != null
          || retry.maxBackoff() != null) {
        changed.backoff(
            retry.initialBackoff() != null ? retry.initialBackoff() : defaults.initialBackoff(),
            retry.multiplier() != null ? retry.multiplier() : defaults.multiplier(),
            retry.maxBackoff() != null ? retry.maxBackoff() : defaults.maxBackoff());
      }
      if (retry.jitter() != null) {
        changed.jitter(retry.jitter());
      }
      String retryPrefix = prefix + "retry.";
      builder.retryPolicy(
          Settings.build(
              changed::build,
              setting ->
                  switch (setting) {
                    case "maxAttempts" -> retryPrefix + "max-attempts";
                    case "backoff" -> retryPrefix + "initial-backoff/multiplier/max-backoff";
                    case "jitter" -> retryPrefix + "jitter";
                    default -> null;
                  }));
    }
  }

  private static CircuitBreakerPolicy circuitBreaker(
      EventBusProperties.CircuitBreaker breaker, String prefix) {
    if (breaker.slidingWindowSize() != null && breaker.slidingWindowTime() != null) {
      throw new EventBusConfigurationException(
          prefix + "sliding-window-time",
          prefix
              + "sliding-window-time: cannot be combined with sliding-window-size; the window is"
              + " a number of deliveries or a time");
    }
    CircuitBreakerPolicy.Builder policy = CircuitBreakerPolicy.builder();
    if (breaker.failureRateThreshold() != null) {
      policy.failureRateThreshold(breaker.failureRateThreshold());
    }
    if (breaker.slidingWindowSize() != null) {
      policy.slidingWindow(breaker.slidingWindowSize());
    }
    if (breaker.slidingWindowTime() != null) {
      policy.slidingWindow(breaker.slidingWindowTime());
    }
    if (breaker.minimumCalls() != null) {
      policy.minimumCalls(breaker.minimumCalls());
    }
    if (breaker.openDuration() != null) {
      policy.openDuration(breaker.openDuration());
    }
    if (breaker.probes() != null) {
      policy.probes(breaker.probes());
    }
    return Settings.build(
        policy::build,
        setting ->
            switch (setting) {
              case "failureRateThreshold" -> prefix + "failure-rate-threshold";
              case "slidingWindow" -> prefix + "sliding-window-size/sliding-window-time";
              case "minimumCalls" -> prefix + "minimum-calls";
              case "openDuration" -> prefix + "open-duration";
              case "probes" -> prefix + "probes";
              default -> null;
            });
  }

  private Duration duration(String text) {
    String resolved = placeholders.apply(text).trim();
    try {
      return DurationStyle.detectAndParse(resolved);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + resolved + "' is not a duration (use 500ms, 10s, 5m or PT10S)", e);
    }
  }
}
