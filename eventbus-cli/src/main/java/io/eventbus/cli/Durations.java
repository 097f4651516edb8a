package io.eventbus.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Short durations ({@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}) and how they are shown. */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /** {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, {@code 250ms}, or ISO-8601 {@code PT2H}. */
  static Duration parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher matcher = SHORT.matcher(value);
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration (examples: 90s, 15m, 2h, 1d)");
    }
  }

  /**
   * A time: an ISO-8601 instant ({@code 2026-03-01T12:00:00Z}) or a duration before {@code now}
   * ({@code 2h} means two hours ago).
   */
  static Instant instant(String text, Instant now) {
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      try {
        return now.minus(parse(text));
      } catch (TypeConversionException notADuration) {
        throw new TypeConversionException(
            "'" + text + "' is neither a time (2026-03-01T12:00:00Z) nor an age (2h, 30m, 1d)");
      }
    }
  }

  /** {@code 3d4h}, {@code 2h5m}, {@code 12m30s}, {@code 45s}: the two largest units. */
  static String age(Duration age) {
    long seconds = Math.max(0, age.getSeconds());
    long days = seconds / 86_400;
    long hours = seconds % 86_400 / 3_600;
    long minutes = seconds % 3_600 / 60;
    long secs = seconds % 60;
    if (days > 0) {
      return days + "d" + hours + "h";
    }
    if (hours > 0) {
      return hours + "h" + minutes + "m";
    }
    if (minutes > 0) {
      return minutes + "m" + secs + "s";
    }
    return secs + "s";
  }

  /** Picocli's converter for duration options. */
  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return parse(value);
    }
  }
}
