package io.eventbus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.spi.DeadLetterReason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the properties of a copy we publish of a received message (parked in the dead-letter queue,
 * or sent through a retry queue) fit in one frame of the publishing connection's {@code frame_max},
 * however large the original's headers were. The body is never touched.
 *
 * <p>The copy's headers are the original's plus ours (the reason, the history). If they do not fit,
 * in this order, until they do:
 *
 * <ol>
 *   <li>our texts are truncated: the stack trace to {@value #SHORT_TRACE} characters, the error
 *       message to {@value #SHORT_MESSAGE};
 *   <li>our optional headers are left out, in the order of {@link #OPTIONAL} (stack trace, error
 *       message, failure times, original exchange and routing key);
 *   <li>headers of the original message are removed, largest first, other headers before the {@code
 *       cloudEvents:} attributes, and their names listed in {@value
 *       DeadLetterReason#HEADER_REMOVED_HEADERS}.
 * </ol>
 *
 * Steps 1 and 2 are recorded in {@value DeadLetterReason#HEADER_TRUNCATED} as {@code
 * <header>=truncated} and {@code <header>=dropped}, comma-separated. Our essential headers (reason,
 * error type, attempts, subscription, queue, redeliveries) are always kept. Why step 3 removes
 * rather than keeps the original's headers somewhere: the body must stay the original body (it is
 * what a replay re-sends and what a reader of the dead-letter queue decodes), and any other header
 * would be bound by the same frame; a message whose own headers leave no room for a few hundred
 * bytes of reason was at the broker's limit already. Nothing is removed from messages whose headers
 * fit.
 */
final class CopyHeaders {
  static final int SHORT_MESSAGE = 200;
  static final int SHORT_TRACE = 500;

  /** Our headers that may be left out, in the order they are. */
  static final List<String> OPTIONAL =
      List.of(
          DeadLetterReason.HEADER_STACK_TRACE,
          DeadLetterReason.HEADER_ERROR_MESSAGE,
          DeadLetterReason.HEADER_FIRST_FAILURE,
          DeadLetterReason.HEADER_LAST_FAILURE,
          DeadLetterReason.HEADER_ORIGINAL_EXCHANGE,
          DeadLetterReason.HEADER_ORIGINAL_ROUTING_KEY);

  /** The longest list of removed header names kept, in characters. */
  private static final int MAX_REMOVED_LIST = 1_000;

  private static final Set<String> ESSENTIAL =
      Set.of(
          DeadLetterReason.HEADER_REASON,
          DeadLetterReason.HEADER_ERROR_TYPE,
          DeadLetterReason.HEADER_ATTEMPTS,
          DeadLetterReason.HEADER_SUBSCRIPTION,
          DeadLetterReason.HEADER_QUEUE,
          DeadLetterReason.HEADER_REDELIVERIES,
          DeadLetterReason.HEADER_TRUNCATED,
          DeadLetterReason.HEADER_REMOVED_HEADERS);

  /**
   * The copy's properties and what had to give way.
   *
   * @param properties the copy's properties (persistent), within the frame
   * @param shortened our headers truncated or dropped, as written in {@value
   *     DeadLetterReason#HEADER_TRUNCATED}; empty if none
   * @param removed headers of the original that were removed; empty if none
   */
  record Fitted(AMQP.BasicProperties properties, List<String> shortened, List<String> removed) {}

  private CopyHeaders() {}

  /**
   * The properties of a copy of a message with {@code original} properties, its headers extended
   * (or overwritten) by {@code ours} and without {@code without}, fitting {@code frameMax}.
   */
  static Fitted fit(
      AMQP.BasicProperties original, Map<String, Object> ours, Set<String> without, int frameMax) {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (original.getHeaders() != null) {
      headers.putAll(original.getHeaders());
    }
    headers.keySet().removeAll(without);
    headers.putAll(ours);
    AMQP.BasicProperties copy = build(original, headers);
    if (FrameSizes.fits(copy, frameMax)) {
      return new Fitted(copy, List.of(), List.of());
    }
    List<String> shortened = new ArrayList<>();
    shorten(headers, ours, DeadLetterReason.HEADER_STACK_TRACE, SHORT_TRACE, shortened);
    shorten(headers, ours, DeadLetterReason.HEADER_ERROR_MESSAGE, SHORT_MESSAGE, shortened);
    copy = build(original, headers);
    for (int i = 0; i < OPTIONAL.size() && !FrameSizes.fits(copy, frameMax); i++) {
      String name = OPTIONAL.get(i);
      if (headers.remove(name) != null) {
        shortened.removeIf(entry -> entry.startsWith(name + "="));
        shortened.add(name + "=dropped");
        headers.put(DeadLetterReason.HEADER_TRUNCATED, String.join(",", shortened));
        copy = build(original, headers);
      }
    }
    List<String> removed = new ArrayList<>();
    if (!FrameSizes.fits(copy, frameMax)) {
      List<String> candidates = new ArrayList<>();
      if (original.getHeaders() != null) {
        for (String name : original.getHeaders().keySet()) {
          if (!ESSENTIAL.contains(name) && !ours.containsKey(name) && headers.containsKey(name)) {
            candidates.add(name);
          }
        }
      }
      Map<String, Object> current = headers;
      candidates.sort(
          Comparator.comparing((String name) -> CloudEventsAttributes.attributeName(name) != null)
              .thenComparing(name -> -size(name, current.get(name))));
      for (String name : candidates) {
        if (FrameSizes.fits(copy, frameMax)) {
          break;
        }
        headers.remove(name);
        removed.add(name);
        headers.put(DeadLetterReason.HEADER_REMOVED_HEADERS, removedList(removed));
        copy = build(original, headers);
      }
    }
    return new Fitted(copy, List.copyOf(shortened), List.copyOf(removed));
  }

  private static void shorten(
      Map<String, Object> headers,
      Map<String, Object> ours,
      String name,
      int maxChars,
      List<String> shortened) {
    if (ours.get(name) instanceof String text && text.length() > maxChars) {
      headers.put(name, text.substring(0, maxChars - 1) + "…");
      shortened.add(name + "=truncated");
      headers.put(DeadLetterReason.HEADER_TRUNCATED, String.join(",", shortened));
    }
  }

  private static String removedList(List<String> removed) {
    String list = String.join(",", removed);
    return list.length() <= MAX_REMOVED_LIST ? list : list.substring(0, MAX_REMOVED_LIST - 1) + "…";
  }

  private static long size(String name, Object value) {
    long bytes = name.length();
    if (value instanceof String text) {
      bytes += text.length();
    } else if (value instanceof LongString text) {
      bytes += text.length();
    } else if (value instanceof byte[] raw) {
      bytes += raw.length;
    } else if (value != null) {
      bytes +=
          FrameSizes.contentHeaderFrame(
              new AMQP.BasicProperties.Builder().headers(Map.of(name, value)).build());
    }
    return bytes;
  }

  private static AMQP.BasicProperties build(
      AMQP.BasicProperties original, Map<String, Object> headers) {
    return original
        .builder()
        .headers(new LinkedHashMap<>(headers))
        .deliveryMode(AmqpMapping.PERSISTENT)
        .build();
  }
}
