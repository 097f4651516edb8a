package io.eventbus.spring.boot.autoconfigure;

import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.spring.boot.EventSubscription;
import io.eventbus.spring.boot.SubscriptionCustomizer;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;

/**
 * Makes a subscription's options from, in this order (later wins): the defaults, its {@link
 * EventSubscription} annotation, the properties {@code eventbus.subscriptions.<name>.*}, and the
 * {@link SubscriptionCustomizer} beans.
 */
final class SubscriptionOptionsFactory {
  private final EventBusProperties properties;
  private final UnaryOperator<String> placeholders;
  private final List<SubscriptionCustomizer> customizers;

  SubscriptionOptionsFactory(
      EventBusProperties properties,
      UnaryOperator<String> placeholders,
      List<SubscriptionCustomizer> customizers) {
    this.properties = properties;
    this.placeholders = placeholders;
    this.customizers = List.copyOf(customizers);
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
    if (annotation != null) {
      applyAnnotation(builder, annotation, "@EventSubscription(\"" + name + "\") on " + source);
    }
    EventBusProperties.Subscription configured = properties.subscriptions().get(name);
    if (configured != null) {
      builder = applyProperties(builder, configured, "eventbus.subscriptions." + name + ".");
    }
    for (SubscriptionCustomizer customizer : customizers) {
      customizer.customize(name, builder);
    }
    SubscriptionOptions.Builder built = builder;
    SubscriptionOptions[] options = new SubscriptionOptions[1];
    Settings.apply("subscription " + name, () -> options[0] = built.build());
    return options[0];
  }

  private void applyAnnotation(
      SubscriptionOptions.Builder builder, EventSubscription annotation, String where) {
    if (annotation.concurrency() != -1) {
      Settings.apply(where + " concurrency", () -> builder.concurrency(annotation.concurrency()));
    }
    if (annotation.prefetch() != -1) {
      Settings.apply(where + " prefetch", () -> builder.prefetch(annotation.prefetch()));
    }
    if (annotation.ordering().length > 0) {
      builder.ordering(SubscriptionOptions.Ordering.valueOf(annotation.ordering()[0].name()));
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
    }
    if (!annotation.handlerTimeout().isEmpty()) {
      Settings.apply(
          where + " handlerTimeout",
          () -> builder.handlerTimeout(duration(annotation.handlerTimeout())));
    }
    if (!annotation.stallTimeout().isEmpty()) {
      Settings.apply(
          where + " stallTimeout", () -> builder.stallTimeout(duration(annotation.stallTimeout())));
    }
  }

  private static SubscriptionOptions.Builder applyProperties(
      SubscriptionOptions.Builder builder,
      EventBusProperties.Subscription configured,
      String prefix) {
    if (configured.concurrency() != null) {
      Settings.apply(prefix + "concurrency", () -> builder.concurrency(configured.concurrency()));
    }
    if (configured.prefetch() != null) {
      Settings.apply(prefix + "prefetch", () -> builder.prefetch(configured.prefetch()));
    }
    if (configured.ordering() != null) {
      builder.ordering(SubscriptionOptions.Ordering.valueOf(configured.ordering().name()));
    }
    if (configured.redeliveryDelays() != null) {
      Settings.apply(
          prefix + "redelivery-delays",
          () -> builder.redeliveryDelays(configured.redeliveryDelays().toArray(Duration[]::new)));
    }
    if (configured.handlerTimeout() != null) {
      Settings.apply(
          prefix + "handler-timeout", () -> builder.handlerTimeout(configured.handlerTimeout()));
    }
    if (configured.stallTimeout() != null) {
      Settings.apply(
          prefix + "stall-timeout", () -> builder.stallTimeout(configured.stallTimeout()));
    }
    EventBusProperties.Retry retry = configured.retry();
    if (retry.maxAttempts() != null
        || retry.initialBackoff() != null
        || retry.multiplier() != null
        || retry.maxBackoff() != null
        || retry.jitter() != null) {
      // The builder has no getters: read the policy it holds now and change what is set.
      SubscriptionOptions.Builder[] current = {builder};
      Settings.apply(
          prefix + "retry",
          () -> {
            SubscriptionOptions sofar = current[0].build();
            RetryPolicy policy = sofar.retryPolicy();
            RetryPolicy.Builder changed = policy.toBuilder();
            if (retry.maxAttempts() != null) {
              changed.maxAttempts(retry.maxAttempts());
            }
            if (retry.initialBackoff() != null
                || retry.multiplier() != null
                || retry.maxBackoff() != null) {
              changed.backoff(
                  retry.initialBackoff() != null ? retry.initialBackoff() : policy.initialBackoff(),
                  retry.multiplier() != null ? retry.multiplier() : policy.multiplier(),
                  retry.maxBackoff() != null ? retry.maxBackoff() : policy.maxBackoff());
            }
            if (retry.jitter() != null) {
              changed.jitter(retry.jitter());
            }
            current[0] = sofar.toBuilder().retryPolicy(changed.build());
          });
      return current[0];
    }
    return builder;
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
