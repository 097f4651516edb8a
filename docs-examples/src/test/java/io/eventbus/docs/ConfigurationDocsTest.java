package io.eventbus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.EventBus;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.PublisherSettings;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.rabbitmq.TlsSettings;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md has one table per builder, headed {@code ### `Name.Builder`}, with a row
 * {@code | `setting` |} for every public setting of that builder and for nothing else: a setting
 * added, renamed or removed without the table fails here.
 */
class ConfigurationDocsTest {
  static final Map<String, Class<?>> BUILDERS = new LinkedHashMap<>();

  static {
    BUILDERS.put("EventBus.Builder", EventBus.Builder.class);
    BUILDERS.put("RabbitTransport.Builder", RabbitTransport.Builder.class);
    BUILDERS.put("RabbitTopology.Builder", RabbitTopology.Builder.class);
    BUILDERS.put("PublisherSettings.Builder", PublisherSettings.Builder.class);
    BUILDERS.put("TlsSettings.Builder", TlsSettings.Builder.class);
    BUILDERS.put("SubscriptionOptions.Builder", SubscriptionOptions.Builder.class);
    BUILDERS.put("RetryPolicy.Builder", RetryPolicy.Builder.class);
    BUILDERS.put("CircuitBreakerPolicy.Builder", CircuitBreakerPolicy.Builder.class);
  }

  private static final Pattern SECTION =
      Pattern.compile(
          "(?m)^### `([A-Za-z.]+)`\\n(.*?)(?=^#|\\z)", Pattern.DOTALL | Pattern.MULTILINE);
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-zA-Z]+)` \\|");

  @Test
  void everyBuilderSettingHasARowAndEveryRowASetting() throws IOException {
    Map<String, Set<String>> documented = new LinkedHashMap<>();
    Matcher section = SECTION.matcher(DocsQuotesTest.read("docs/configuration.md"));
    while (section.find()) {
      Set<String> rows = new TreeSet<>();
      Matcher row = ROW.matcher(section.group(2));
      while (row.find()) {
        rows.add(row.group(1));
      }
      documented.put(section.group(1), rows);
    }
    assertThat(documented.keySet())
        .as("tables in docs/configuration.md")
        .containsAll(BUILDERS.keySet());
    BUILDERS.forEach(
        (name, builder) ->
            assertThat(documented.get(name))
                .as("the rows of the table %s in docs/configuration.md", name)
                .isEqualTo(settings(builder)));
  }

  /** The names of the public instance methods {@code builder} declares, but {@code build}. */
  static Set<String> settings(Class<?> builder) {
    return Arrays.stream(builder.getDeclaredMethods())
        .filter(method -> Modifier.isPublic(method.getModifiers()))
        .filter(method -> !Modifier.isStatic(method.getModifiers()) && !method.isSynthetic())
        .map(Method::getName)
        .filter(name -> !name.equals("build") && !name.equals("toString"))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
