package io.eventbus.codec;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Parses RFC 3339 times. The form eventbus writes, UTC with a {@code Z} and 0 to 9 fraction digits
 * ({@code 2026-11-25T10:15:30.123Z}), is read by hand, which is several times cheaper than {@code
 * DateTimeFormatter} on every delivery; any other form goes to {@link OffsetDateTime#parse}. {@link
 * #format} writes exactly what {@link Instant#toString()} writes, without a formatter for the years
 * 0 to 9999.
 */
final class Rfc3339 {
  private static final int[] SCALE = {
    1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
  };

  private Rfc3339() {}

  /**
   * The instant of {@code text}.
   *
   * @throws java.time.DateTimeException if it is not a valid RFC 3339 time
   */
  static Instant parse(String text) {
    Instant fast = parseUtc(text);
    return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
  }

  /**
   * The instant of a valid {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} text, or null for anything else
   * (other forms, and invalid fields such as hour 24 or February 30, which the caller's slower
   * parser then reports in its own words).
   */
  static @Nullable Instant parseUtcOrNull(String text) {
    try {
      return parseUtc(text);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** Exactly {@code instant.toString()}, several times cheaper for the years 0 to 9999. */
  static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_SECOND_OF_YEAR_0 || seconds >= FIRST_SECOND_OF_YEAR_10000) {
      return instant.toString();
    }
    long days = Math.floorDiv(seconds, 86_400);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400);
    LocalDate date = LocalDate.ofEpochDay(days);
    int nanos = instant.getNano();
    char[] out = new char[30];
    digits(out, 0, date.getYear(), 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3_600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    int length = 19;
    if (nanos != 0) {
      // As DateTimeFormatter.ISO_INSTANT: the fraction in groups of three digits, as few as needed.
      out[length++] = '.';
      if (nanos % 1_000_000 == 0) {
        digits(out, length, nanos / 1_000_000, 3);
        length += 3;
      } else if (nanos % 1_000 == 0) {
        digits(out, length, nanos / 1_000, 6);
        length += 6;
      } else {
        digits(out, length, nanos, 9);
        length += 9;
      }
    }
    out[length++] = 'Z';
    return new String(out, 0, length);
  }

  private static final long FIRST_SECOND_OF_YEAR_0 = LocalDate.of(0, 1, 1).toEpochDay() * 86_400;
  private static final long FIRST_SECOND_OF_YEAR_10000 =
      LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400;

  /** Writes {@code value} as {@code width} decimal digits, zero-padded, at {@code out[at]}. */
  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** The instant of a {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} text, or null for any other form. */
  private static @Nullable Instant parseUtc(String text) {
    int length = text.length();
    if (length < 20
        || text.charAt(length - 1) != 'Z'
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return null;
    }
    int nanos = 0;
    if (length > 20) {
      int digits = length - 21;
      if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      int fraction = number(text, 20, length - 1);
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * SCALE[digits];
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 7);
    int day = number(text, 8, 10);
    int hour = number(text, 11, 13);
    int minute = number(text, 14, 16);
    int second = number(text, 17, 19);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    if (hour > 23 || minute > 59 || second > 59) {
      throw new DateTimeParseException("Invalid time of day", text, 11);
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code text[from, to)}, or -1 if a character is not a digit. */
  private static int number(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      int digit = text.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }
}
