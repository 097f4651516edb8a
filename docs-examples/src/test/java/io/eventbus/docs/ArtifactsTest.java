package io.eventbus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Maven Central and users need from the build: the BOM names every published module, and the
 * POMs carry the licence, SCM, developers, description and URL.
 */
class ArtifactsTest {
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

  @Test
  void theBomManagesEveryPublishedModule() throws IOException {
    String bom = DocsQuotesTest.read("eventbus-bom/pom.xml");
    List<String> managed = new ArrayList<>();
    Matcher artifact = ARTIFACT.matcher(bom.substring(bom.indexOf("<dependencyManagement>")));
    while (artifact.find()) {
      managed.add(artifact.group(1));
    }
    List<String> published = new ArrayList<>();
    Matcher module = MODULE.matcher(DocsQuotesTest.read("pom.xml"));
    while (module.find()) {
      String name = module.group(1);
      if (name.startsWith("eventbus-") && !name.equals("eventbus-bom")) {
        published.add(name);
      }
    }
    assertThat(managed).containsExactlyInAnyOrderElementsOf(published);
    assertThat(bom)
        .as("the BOM has no parent: it manages eventbus's versions only")
        .doesNotContain("<parent>");
    String version = "<version>0.1.0-SNAPSHOT</version>";
    assertThat(bom).as("the BOM's version is the parent's").contains(version);
    assertThat(DocsQuotesTest.read("pom.xml")).contains(version);
  }

  @Test
  void thePomsCarryWhatMavenCentralRequires() throws IOException {
    for (String pom : List.of("pom.xml", "eventbus-bom/pom.xml")) {
      assertThat(DocsQuotesTest.read(pom))
          .as(pom)
          .contains(
              "<description>",
              "<url>",
              "<licenses>",
              "Apache License, Version 2.0",
              "<developers>",
              "<scm>");
    }
    Path license = DocsQuotesTest.ROOT.resolve("LICENSE");
    assertThat(license).isRegularFile();
    assertThat(Files.readString(license)).contains("Apache License", "Version 2.0, January 2004");
    Matcher module = MODULE.matcher(DocsQuotesTest.read("pom.xml"));
    while (module.find()) {
      Path pom = DocsQuotesTest.ROOT.resolve(module.group(1)).resolve("pom.xml");
      assertThat(Files.readString(pom)).as("%s has a description", pom).contains("<description>");
    }
  }
}
