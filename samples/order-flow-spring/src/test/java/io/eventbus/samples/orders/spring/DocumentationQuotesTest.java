package io.eventbus.samples.orders.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples in docs/spring-boot.md and docs/testing.md's Spring section are quoted from files
 * that compile and run in the build; each quote ({@code <!-- file: path -->} followed by a fenced
 * block) must equal its file, so that the docs cannot drift from the code.
 */
class DocumentationQuotesTest {
  private static final Path ROOT = Path.of("../..");
  private static final Pattern QUOTE =
      Pattern.compile("<!-- file: (\\S+) -->\\n```\\w+\\n(.*?)```", Pattern.DOTALL);

  @ParameterizedTest
  @ValueSource(strings = {"docs/spring-boot.md", "docs/testing.md"})
  void everyQuotedFileIsQuotedAsItIs(String document) throws IOException {
    String text = Files.readString(ROOT.resolve(document));
    Matcher quote = QUOTE.matcher(text);
    int quotes = 0;
    while (quote.find()) {
      quotes++;
      Path file = ROOT.resolve(quote.group(1));
      assertThat(quote.group(2))
          .as("%s quotes %s", document, quote.group(1))
          .isEqualTo(Files.readString(file));
    }
    assertThat(quotes).as("quotes in %s", document).isPositive();
  }

  @Test
  void thePropertiesTableListsEveryPropertyOfTheMetadata() throws IOException {
    String metadata = "";
    for (URL url :
        Collections.list(
            getClass()
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (json.contains("io.eventbus.spring.boot.autoconfigure.EventBusProperties")) {
          metadata = json;
        }
      }
    }
    assertThat(metadata).as("the starter's configuration metadata").isNotEmpty();
    metadata = metadata.substring(metadata.indexOf("\"properties\""));
    String text = Files.readString(ROOT.resolve("docs/spring-boot.md"));
    Matcher name = Pattern.compile("\"name\": \"(eventbus\\.[^\"]+)\"").matcher(metadata);
    int names = 0;
    while (name.find()) {
      names++;
      assertThat(text).contains("| `" + name.group(1) + "` |");
    }
    assertThat(names).isGreaterThan(20);
  }
}
