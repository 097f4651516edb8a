package io.eventbus.testkit.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/resilience.md quotes {@link HandlerBreakerExampleTest}: every region between {@code //
 * tag::name[]} and {@code // end::name[]} must appear in the page exactly, indentation removed, so
 * that the page shows code that compiles and runs.
 */
class ResilienceDocsTest {
  private static final Path PAGE = Path.of("..", "docs", "resilience.md");
  private static final Path EXAMPLE =
      Path.of("src/test/java/io/eventbus/testkit/resilience/HandlerBreakerExampleTest.java");
  private static final Pattern REGION =
      Pattern.compile("// tag::([a-z-]+)\\[\\]\\n(.*?)\\n\\s*// end::\\1\\[\\]", Pattern.DOTALL);

  @Test
  void thePageQuotesEveryTaggedRegionOfTheExampleExactly() throws IOException {
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    String source = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
    List<String> regions = new ArrayList<>();
    Matcher matcher = REGION.matcher(source);
    while (matcher.find()) {
      regions.add(matcher.group(1));
      assertThat(page)
          .as("docs/resilience.md quotes the region %s", matcher.group(1))
          .contains(dedent(matcher.group(2)));
    }
    assertThat(regions).containsExactly("handler", "subscription");
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
