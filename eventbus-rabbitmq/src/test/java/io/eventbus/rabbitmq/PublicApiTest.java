package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No public signature of a public package of any eventbus module may mention an internal type. It
 * lives in the testkit because that module sees all three libraries.
 */
class PublicApiTest {
  @ParameterizedTest
  @ValueSource(
      classes = {
        io.eventbus.EventBus.class,
        io.eventbus.rabbitmq.RabbitTransport.class,
        io.eventbus.testkit.EventRecorder.class
      })
  void publicSignaturesDoNotMentionInternalTypes(Class<?> anchor) throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : publicTypes(anchor)) {
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

  /** The public, non-internal types of the module (a folder or a jar) that holds {@code anchor}. */
  private static List<Class<?>> publicTypes(Class<?> anchor)
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> classFiles = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        files.map(file -> root.relativize(file).toString()).forEach(classFiles::add);
      }
    } else {
      try (JarFile jar = new JarFile(root.toFile())) {
        jar.stream().map(JarEntry::getName).forEach(classFiles::add);
      }
    }
    List<Class<?>> types = new ArrayList<>();
    for (String file : classFiles) {
      if (!file.endsWith(".class")) {
        continue;
      }
      String name = file.replace('/', '.').replaceAll("\\.class$", "");
      if (name.contains(".internal.") || name.endsWith("package-info")) {
        continue;
      }
      Class<?> type = Class.forName(name);
      if (Modifier.isPublic(type.getModifiers())) {
        types.add(type);
      }
    }
    assertThat(types).as("public types next to %s", anchor).hasSizeGreaterThan(5);
    return types;
  }
}
