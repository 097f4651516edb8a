package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.LongString;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The headers RabbitMQ itself sets on deliveries, and how the transport reads them. */
public final class BrokerHeaders {
  /**
   * The quorum queue's count of earlier deliveries of a message that were not acknowledged. It
   * belongs to the delivery, so copies we publish (retries, replays) drop it.
   */
  public static final String DELIVERY_COUNT = "x-delivery-count";

  /** The span attribute of the messaging conventions that carries RabbitMQ's routing key. */
  public static final String ROUTING_KEY_ATTRIBUTE = "messaging.rabbitmq.destination.routing_key";

  private BrokerHeaders() {}

  /**
   * The delivery count in {@code headers}: 0 when absent, and 0 for a value that is not a
   * non-negative whole number (a header a client forged cannot lower or break the attempt count;
   * the bus validates it again).
   */
  public static int deliveryCount(@Nullable Map<String, Object> headers) {
    Object value = headers == null ? null : headers.get(DELIVERY_COUNT);
    long count;
    if (value instanceof Number number) {
      count = number.longValue();
    } else if (value instanceof LongString || value instanceof String) {
      String text =
          value instanceof LongString longString
              ? new String(longString.getBytes(), StandardCharsets.UTF_8)
              : (String) value;
      try {
        count = Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    } else {
      return 0;
    }
    return (int) Math.max(0, Math.min(count, Integer.MAX_VALUE));
  }
}
