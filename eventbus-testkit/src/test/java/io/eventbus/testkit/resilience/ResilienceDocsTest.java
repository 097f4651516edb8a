package io.eventbus.testkit.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.testkit.docs.TaggedRegions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

  @Test
  void thePageQuotesEveryTaggedRegionOfTheExampleExactly() throws IOException {
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    String source = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
    Map<String, String> regions = TaggedRegions.of(source);
    regions.forEach(
        (name, text) ->
            assertThat(page).as("docs/resilience.md quotes the region %s", name).contains(text));
    assertThat(regions.keySet()).containsExactly("handler", "subscription");
  }
}
