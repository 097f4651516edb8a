package io.eventbus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Docs are code. A fenced block that follows {@code <!-- file: PATH -->} must equal the file at
 * {@code PATH} (relative to the repository root); one that follows {@code <!-- file: PATH#NAME -->}
 * must equal the lines of that file between {@code // tag::NAME[]} and {@code // end::NAME[]} (or
 * the XML comments {@code <!-- tag::NAME[] -->} and {@code <!-- end::NAME[] -->}), without their
 * common indentation. The quoted files are compiled and run by the build: the consumer project
 * {@code samples/inventory-service} by this module and by {@code .ci/run}, the others by their own
 * modules. On the pages of {@link #everyCodeBlockIsAQuote}, a Java or XML block that is not a quote
 * fails, so nothing on them can drift unnoticed.
 */
class DocsQuotesTest {
  static final Path ROOT = Path.of("..");
  private static final Pattern QUOTE =
      Pattern.compile(
          "<!-- file: ([^\\s#]+)(?:#([a-z0-9-]+))? -->\\n```\\w+\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern BLOCK =
      Pattern.compile("(?:(<!-- file: [^\\n]+ -->)\\n)?```(java|xml)\\n", Pattern.DOTALL);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "docs/getting-started.md",
        "docs/testing.md",
        "docs/configuration.md",
        "docs/spring-boot.md"
      })
  void everyQuoteEqualsItsSource(String page) throws IOException {
    String text = read(page);
    Matcher quote = QUOTE.matcher(text);
    int quotes = 0;
    while (quote.find()) {
      quotes++;
      Path file = ROOT.resolve(quote.group(1));
      assertThat(file).as("%s quotes %s", page, quote.group(1)).isRegularFile();
      String source = Files.readString(file);
      String expected = quote.group(2) == null ? source : region(source, quote.group(2), file);
      assertThat(quote.group(3))
          .as(
              "%s quotes %s",
              page, quote.group(1) + (quote.group(2) == null ? "" : "#" + quote.group(2)))
          .isEqualTo(expected);
    }
    assertThat(quotes).as("quotes in %s", page).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"docs/getting-started.md", "docs/testing.md"})
  void everyCodeBlockIsAQuote(String page) throws IOException {
    Matcher block = BLOCK.matcher(read(page));
    List<String> unquoted = new ArrayList<>();
    while (block.find()) {
      if (block.group(1) == null) {
        unquoted.add("a " + block.group(2) + " block at offset " + block.start());
      }
    }
    assertThat(unquoted)
        .as("blocks of %s that quote no compiled file (add <!-- file: PATH[#tag] -->)", page)
        .isEmpty();
  }

  static String read(String page) throws IOException {
    return Files.readString(ROOT.resolve(page));
  }

  /** The tagged region {@code name} of {@code source}, dedented, ending with a newline. */
  static String region(String source, String name, Path file) {
    Matcher region =
        Pattern.compile(
                "(?://|<!--) tag::"
                    + Pattern.quote(name)
                    + "\\[\\](?: -->)?\\n(.*?)\\n[ \\t]*(?://|<!--) end::"
                    + Pattern.quote(name)
                    + "\\[\\]",
                Pattern.DOTALL)
            .matcher(source);
    assertThat(region.find()).as("%s has the region %s", file, name).isTrue();
    List<String> lines = region.group(1).stripTrailing().lines().toList();
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
    return out.toString();
  }
}
