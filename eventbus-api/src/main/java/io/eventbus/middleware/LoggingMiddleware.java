package io.eventbus.middleware;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.spi.SafeText;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Puts the delivery's identity into the SLF4J MDC, read from the raw headers (before decoding),
 * escaped and capped by {@link SafeText}: MDC values end up in log lines.
 */
final class LoggingMiddleware implements Middleware {
  static final LoggingMiddleware INSTANCE = new LoggingMiddleware();

  static final String EVENT_ID = "eventbus.event_id";
  static final String EVENT_TYPE = "eventbus.event_type";
  static final String SUBSCRIPTION = "eventbus.subscription";

  private LoggingMiddleware() {}

  @Override
  public void handle(DeliveryContext delivery, Chain chain) throws Exception {
    Map<String, String> headers = delivery.message().headers();
    String previousId = MDC.get(EVENT_ID);
    String previousType = MDC.get(EVENT_TYPE);
    String previousSubscription = MDC.get(SUBSCRIPTION);
    put(EVENT_ID, safe(CloudEventsAttributes.attribute(headers, "id")));
    put(EVENT_TYPE, safe(CloudEventsAttributes.attribute(headers, "type")));
    put(SUBSCRIPTION, delivery.subscription());
    try {
      chain.proceed(delivery);
    } finally {
      put(EVENT_ID, previousId);
      put(EVENT_TYPE, previousType);
      put(SUBSCRIPTION, previousSubscription);
    }
  }

  @Override
  public String toString() {
    return "logging";
  }

  private static @Nullable String safe(@Nullable String value) {
    return value == null ? null : SafeText.of(value);
  }

  private static void put(String key, @Nullable String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
