package io.eventbus.spi;

import org.jspecify.annotations.Nullable;

/**
 * Makes text that came from a message (a header value, an id, a type name, an exception message
 * built from them) safe to write into a log line or an exception message: control characters are
 * escaped, so a value cannot forge a line or move the terminal's cursor, and the length is capped,
 * so a 10 KB header cannot become a 10 KB log line (an escape sequence at the cap is kept whole, so
 * the result may exceed the cap by a few characters before the ellipsis). The bus, its transports
 * and its links use it for every value they log; transport authors should too.
 *
 * <p>Escaped: C0 controls ({@code \n}, {@code \r} and {@code \t} by name, the others as {@code
 * \}{@code uXXXX}), DEL and C1 controls, the Unicode line and paragraph separators, the
 * bidirectional controls (U+202A-U+202E, U+2066-U+2069). A backslash is left as it is, so that
 * escaping is idempotent: a value that passes through several layers (an id quoted in an exception
 * message that is then logged) is escaped once. A text longer than its cap (counted after escaping)
 * ends in {@code …(+N chars)}, N counting the original characters left out.
 *
 * <pre>{@code
 * log.warn("Unknown type {}", SafeText.of(headers.get("cloudEvents:type")));
 * }</pre>
 *
 * <h2>Thread safety</h2>
 *
 * Stateless and thread-safe.
 */
public final class SafeText {
  /** The cap of {@link #of(Object)}: long enough for any id or type name we accept. */
  public static final int MAX_CHARS = 200;

  /** The cap of {@link #message(Throwable)}: an exception's class and message. */
  public static final int MAX_MESSAGE_CHARS = 500;

  private SafeText() {}

  /**
   * {@code value} escaped and capped at {@value #MAX_CHARS} characters; {@code "null"} for null.
   */
  public static String of(@Nullable Object value) {
    return of(value, MAX_CHARS);
  }

  /** {@code value} escaped and capped at {@code maxChars} characters; {@code "null"} for null. */
  public static String of(@Nullable Object value, int maxChars) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    if (text.length() <= maxChars && clean(text)) {
      return text;
    }
    StringBuilder escaped = new StringBuilder(Math.min(text.length(), maxChars) + 16);
    int i = 0;
    for (; i < text.length() && escaped.length() < maxChars; i++) {
      append(escaped, text.charAt(i));
    }
    if (i < text.length()) {
      escaped.append("…(+").append(text.length() - i).append(" chars)");
    }
    return escaped.toString();
  }

  /**
   * {@code failure}'s class name and message, escaped and capped at {@value #MAX_MESSAGE_CHARS}
   * characters, for a log line that must not carry a stack trace.
   */
  public static String message(Throwable failure) {
    String message = failure.getMessage();
    return of(
        message == null
            ? failure.getClass().getName()
            : failure.getClass().getName() + ": " + message,
        MAX_MESSAGE_CHARS);
  }

  /** Whether {@code c} is escaped. */
  static boolean needsEscape(char c) {
    return c < 0x20
        || (c >= 0x7F && c <= 0x9F)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');
  }

  private static boolean clean(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (needsEscape(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static void append(StringBuilder out, char c) {
    if (!needsEscape(c)) {
      out.append(c);
      return;
    }
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> out.append(String.format("\\u%04x", (int) c));
    }
  }
}
