package io.eventbus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a command prints: a table for people (the default) or one JSON object per line ({@code
 * --json}) for scripts. In JSON mode stdout carries nothing but JSON lines; notes go to stderr.
 * Text from the broker (header values, error messages) is stripped of control characters before it
 * reaches a terminal.
 */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;

  Output(PrintWriter out, PrintWriter err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  /** One JSON line (JSON mode only). */
  void jsonLine(Map<String, ?> object) {
    try {
      out.println(JSON.writeValueAsString(object));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
    out.flush();
  }

  /** A table with a header row; cells are cleaned and cut to {@code maxWidth} characters. */
  void table(List<String> headers, List<List<String>> rows, int maxWidth) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(headers);
    for (List<String> row : rows) {
      cells.add(row.stream().map(cell -> cut(clean(cell), maxWidth)).toList());
    }
    int[] widths = new int[headers.size()];
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  /** A line for people: stdout in table mode, stderr in JSON mode. */
  void note(String text) {
    PrintWriter target = json ? err : out;
    target.println(clean(text));
    target.flush();
  }

  /** A warning or error line, always on stderr. */
  void error(String text) {
    err.println(clean(text));
    err.flush();
  }

  /** "1 event", "2 events". */
  static String events(long count) {
    return count == 1 ? "1 event" : count + " events";
  }

  /** A question for the operator, where notes go, without a line break. */
  void ask(String question) {
    PrintWriter target = json ? err : out;
    target.print(clean(question));
    target.flush();
  }

  /** {@code text} without control characters (terminal escapes), which become '?'. */
  static String clean(String text) {
    StringBuilder cleaned = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c == '\n' || c == '\r' || c == '\t') {
                cleaned.append(' ');
              } else if (Character.isISOControl(c)) {
                cleaned.append('?');
              } else {
                cleaned.appendCodePoint(c);
              }
            });
    return cleaned.toString();
  }

  private static String cut(String text, int maxWidth) {
    return text.length() <= maxWidth ? text : text.substring(0, maxWidth - 1) + "…";
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }
}
