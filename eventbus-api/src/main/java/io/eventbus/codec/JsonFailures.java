package io.eventbus.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.eventbus.spi.SafeText;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Describes why Jackson could not read a body without quoting the body: Jackson's own messages
 * quote input ({@code Unrecognized token 'secret'}, {@code from String "4111…"}), so they are
 * replaced by what went wrong, where (line, column, byte offset) and on which component of the
 * event class (the path, by component names). The original exception is dropped, not chained, so
 * its message cannot reach a stack trace either.
 */
final class JsonFailures {
  private static final Pattern MISSING =
      Pattern.compile("Missing required creator property '([^']{1,100})'");

  private JsonFailures() {}

  /** A payload-free description of {@code failure} reading a {@code type}. */
  static String describe(JacksonException failure, Class<?> type) {
    String what = what(failure, type);
    return what + at(failure.getLocation());
  }

  private static String what(JacksonException failure, Class<?> type) {
    if (failure instanceof StreamConstraintsException) {
      // Jackson's constraint messages name the limit and the size, never the input.
      return "the body exceeds a read limit: " + SafeText.of(failure.getOriginalMessage(), 300);
    }
    if (failure instanceof StreamReadException) {
      String message = String.valueOf(failure.getOriginalMessage());
      if (message.startsWith("Duplicate field")) {
        return "duplicate key in a JSON object";
      }
      if (message.contains("Invalid UTF-8") || message.contains("UTF-8")) {
        return "the body is not valid UTF-8";
      }
      if (message.contains("end-of-input")) {
        return "the JSON document ends early";
      }
      return "malformed JSON";
    }
    if (failure instanceof JsonMappingException mapping
        && failure.getCause() instanceof StreamReadException cause) {
      return what(cause, type);
    }
    if (failure instanceof JsonMappingException mapping) {
      String path = path(mapping.getPath());
      String subject = path == null ? "the event" : "component '" + path + "'";
      if (failure instanceof SaneNumbers.Refused) {
        return subject + " is " + failure.getOriginalMessage();
      }
      if (failure instanceof InvalidNullException) {
        return subject + " is null, and it is not declared @Nullable";
      }
      String original = String.valueOf(failure.getOriginalMessage());
      Matcher missing = MISSING.matcher(original);
      if (missing.find()) {
        String name = SafeText.of(missing.group(1), 100);
        // Jackson's path of a missing creator property already ends with its name.
        return "component '"
            + (path == null ? name : path.endsWith(name) ? path : path + "." + name)
            + "' is missing, and it is not declared @Nullable";
      }
      if (failure instanceof ValueInstantiationException) {
        Throwable cause = failure.getCause();
        return "the constructor of "
            + type.getSimpleName()
            + " refused the values"
            + (cause == null ? "" : ": " + SafeText.message(cause));
      }
      if (failure instanceof InvalidFormatException invalid) {
        return subject + " has a value that is not a valid " + name(invalid);
      }
      if (failure instanceof MismatchedInputException mismatched) {
        if (original.startsWith("No content to map")) {
          return "the body is empty";
        }
        if (original.contains("trailing token")) {
          return "the body has content after the JSON document";
        }
        return subject + " has the wrong JSON type for " + name(mismatched);
      }
      return subject + " could not be read (" + failure.getClass().getSimpleName() + ")";
    }
    return "the body could not be read (" + failure.getClass().getSimpleName() + ")";
  }

  private static String name(MismatchedInputException failure) {
    Class<?> target = failure.getTargetType();
    return target == null ? "its type" : "`" + target.getSimpleName() + "`";
  }

  /** {@code items[2].sku}, or null for the root. */
  private static @Nullable String path(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : references) {
      String field = reference.getFieldName();
      if (field != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(SafeText.of(field, 64));
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? null : SafeText.of(path, 200);
  }

  private static String at(@Nullable JsonLocation location) {
    if (location == null || location == JsonLocation.NA) {
      return "";
    }
    StringBuilder at = new StringBuilder(" (at line ");
    at.append(location.getLineNr()).append(", column ").append(location.getColumnNr());
    long offset = location.getByteOffset();
    if (offset >= 0) {
      at.append(", byte ").append(offset);
    }
    return at.append(')').toString();
  }
}
