package io.eventbus.testkit.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regions of a Java source between {@code // tag::name[]} and {@code // end::name[]}, as a page
 * quotes them: in source order, their common indentation and trailing blank lines removed.
 */
public final class TaggedRegions {
  private static final Pattern REGION =
      Pattern.compile("// tag::([a-z-]+)\\[\\]\\n(.*?)\\n\\s*// end::\\1\\[\\]", Pattern.DOTALL);

  private TaggedRegions() {}

  /**
   * Each region's name and its dedented text, in the order they stand in {@code source}.
   *
   * @throws IllegalStateException if two regions share a name
   */
  public static Map<String, String> of(String source) {
    Map<String, String> regions = new LinkedHashMap<>();
    Matcher matcher = REGION.matcher(source);
    while (matcher.find()) {
      if (regions.put(matcher.group(1), dedent(matcher.group(2))) != null) {
        throw new IllegalStateException("Two regions are tagged " + matcher.group(1));
      }
    }
    return regions;
  }

  /** The lines without their common leading spaces, and without trailing blank lines. */
  static String dedent(String text) {
    List<String> lines = new ArrayList<>(text.stripTrailing().lines().toList());
    int indent =
        lines.stream()
            .filter(line -> !line.isBlank())
            .mapToInt(line -> line.length() - line.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString().stripTrailing();
  }
}
