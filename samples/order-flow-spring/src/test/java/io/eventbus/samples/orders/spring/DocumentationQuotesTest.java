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

/**
 * docs/spring-boot.md's property table lists every property of the starter's metadata. (Its quoted
 * examples, {@code <!-- file: path -->} before a fenced block, are checked with every other page's
 * by {@code DocsQuotesTest} in docs-examples.)
 */
class DocumentationQuotesTest {
  private static final Path ROOT = Path.of("../..");

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
