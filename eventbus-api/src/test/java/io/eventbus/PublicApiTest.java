package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No public signature of a public package may mention an internal type. */
class PublicApiTest {
  @Test
  void publicSignaturesDoNotMentionInternalTypes() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : publicTypes()) {
      for (Method method : type.getMethods()) {
        if (method.getDeclaringClass().getName().startsWith("java.")) {
          continue;
        }
        String signature = method.toGenericString();
        if (signature.contains(".internal.")) {
          leaks.add(signature);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  private static List<Class<?>> publicTypes()
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(EventBus.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.contains(".internal.") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> type = Class.forName(name);
        if (Modifier.isPublic(type.getModifiers())) {
          types.add(type);
        }
      }
    }
    assertThat(types).hasSizeGreaterThan(20);
    return types;
  }
}
