package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.AMQContentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.Map;

/**
 * How many bytes a message's content header frame takes: AMQP requires it to fit in one frame of
 * the connection's negotiated {@code frame_max} (128 KiB by default), and amqp-client throws before
 * sending anything if it does not, after it has already counted the publish's sequence number.
 * Publishing code therefore checks first.
 *
 * <p>{@link #fits} is cheap for ordinary messages: it adds up an upper bound of the properties
 * without encoding anything and measures exactly (by having amqp-client write the frame) only when
 * that bound comes near the limit.
 */
public final class FrameSizes {
  /**
   * An upper bound of everything in the content header frame besides the headers table: frame
   * overhead (8), class, weight, body size and flags (14), ten short strings of at most 256 bytes,
   * delivery mode, priority and timestamp.
   */
  private static final int FIXED_BOUND = 8 + 14 + 10 * 256 + 1 + 1 + 8 + 4;

  private FrameSizes() {}

  /** Whether the content header of {@code properties} fits a frame of {@code frameMax} bytes. */
  public static boolean fits(AMQP.BasicProperties properties, int frameMax) {
    if (frameMax <= 0) {
      return true; // 0: no limit was negotiated
    }
    long bound = FIXED_BOUND + tableBound(properties.getHeaders());
    return bound <= frameMax || contentHeaderFrame(properties) <= frameMax;
  }

  /** The exact size of the content header frame of {@code properties}, in bytes. */
  public static int contentHeaderFrame(AMQP.BasicProperties properties) {
    try {
      return ((AMQContentHeader) properties).toFrame(0, 0).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An upper bound of a header table's encoded size, or a huge value if it cannot tell. */
  private static long tableBound(Map<String, Object> headers) {
    if (headers == null) {
      return 0;
    }
    // forEach, not an entry iterator: amqp-client hands out its headers as an unmodifiable view,
    // whose iterator wraps every entry; forEach reaches the map underneath directly.
    long[] bound = {4};
    headers.forEach((name, value) -> bound[0] += 1 + 3L * name.length() + 1 + valueBound(value));
    return bound[0];
  }

  private static long valueBound(Object value) {
    if (value instanceof String text) {
      return 4 + 3L * text.length();
    }
    if (value instanceof LongString text) {
      return 4 + text.length();
    }
    if (value instanceof byte[] bytes) {
      return 4 + bytes.length;
    }
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return 9;
    }
    if (value instanceof Date) {
      return 8;
    }
    return Integer.MAX_VALUE; // tables, arrays: measured exactly
  }
}
