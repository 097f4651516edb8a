package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public API of every library module, read from its {@code module-info}: it exports exactly the
 * packages docs/architecture.md lists as exported, everything else it holds is {@code internal},
 * and no exported type's supertypes, constructors, fields or methods mention a type users cannot
 * reach: an internal or package-private one of ours, or one of a library (a JDK module other than
 * {@code java.base} included) the module does not require transitively. It lives here because this
 * module's tests see all four libraries.
 */
class PublicApiTest {
  /** The exported packages of each module, as docs/architecture.md lists them. */
  private static final Map<String, Set<String>> EXPORTS =
      Map.of(
          "io.eventbus",
          Set.of("io.eventbus", "io.eventbus.codec", "io.eventbus.middleware", "io.eventbus.spi"),
          "io.eventbus.rabbitmq",
          Set.of("io.eventbus.rabbitmq"),
          "io.eventbus.inmemory",
          Set.of("io.eventbus.inmemory"),
          "io.eventbus.testkit",
          Set.of(
              "io.eventbus.testkit",
              "io.eventbus.testkit.assertj",
              "io.eventbus.testkit.broker",
              "io.eventbus.testkit.conformance",
              "io.eventbus.testkit.fault",
              "io.eventbus.testkit.junit5"));

  /** Libraries whose types may appear in a module's API: those it requires transitively. */
  private static final Map<String, List<String>> FOREIGN =
      Map.of(
          "io.eventbus", List.of("io.opentelemetry.", "org.jspecify."),
          "io.eventbus.rabbitmq", List.of("io.opentelemetry.", "org.jspecify."),
          "io.eventbus.inmemory", List.of("io.opentelemetry.", "org.jspecify."),
          "io.eventbus.testkit",
              List.of(
                  "io.opentelemetry.",
                  "org.jspecify.",
                  "org.junit.jupiter.api.",
                  "org.assertj.core.",
                  "org.opentest4j."));

  static Stream<Arguments> modules() {
    return Stream.of(
        Arguments.argumentSet("eventbus-api", io.eventbus.EventBus.class),
        Arguments.argumentSet("eventbus-rabbitmq", RabbitTransport.class),
        Arguments.argumentSet("eventbus-inmemory", io.eventbus.inmemory.InMemoryTransport.class),
        Arguments.argumentSet("eventbus-testkit", io.eventbus.testkit.EventRecorder.class));
  }

  @ParameterizedTest
  @MethodSource("modules")
  void aModuleExportsExactlyItsDocumentedPackagesAndHidesOnlyInternalOnes(Class<?> anchor)
      throws Exception {
    Module module = Module.read(anchor);
    Set<String> exported = module.exported();

    assertThat(exported).isEqualTo(EXPORTS.get(module.name()));
    assertThat(documentedExports(module.name()))
        .as("exported packages of %s in docs/architecture.md", module.name())
        .isEqualTo(exported);
    assertThat(module.descriptor().packages())
        .filteredOn(p -> !exported.contains(p))
        .allSatisfy(hidden -> assertThat(hidden).contains(".internal"));
    assertThat(module.descriptor().exports())
        .as("no qualified exports: what a second module of ours needs is SPI")
        .allSatisfy(export -> assertThat(export.isQualified()).isFalse());
  }

  @ParameterizedTest
  @MethodSource("modules")
  void noExportedSignatureMentionsATypeUsersCannotReach(Class<?> anchor) throws Exception {
    Module module = Module.read(anchor);
    Set<String> reachable = new TreeSet<>();
    EXPORTS.values().forEach(reachable::addAll);
    List<String> leaks = new ArrayList<>();
    List<Class<?>> types = module.exportedTypes();
    assertThat(types).as("exported types of %s", module.name()).isNotEmpty();
    for (Class<?> type : types) {
      for (Mention mention : mentions(type)) {
        String problem = problem(mention.type(), module, reachable);
        if (problem != null) {
          leaks.add(mention.where() + " mentions " + mention.type().getName() + ": " + problem);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  /** Why users of {@code module} could not use {@code type} in its API, or null if they can. */
  private static String problem(Class<?> type, Module module, Set<String> reachable) {
    while (type.isArray()) {
      type = type.getComponentType();
    }
    if (type.isPrimitive()) {
      return null;
    }
    String name = type.getName();
    java.lang.Module owner = type.getModule();
    if (owner.isNamed() && owner.getLayer() == ModuleLayer.boot() && isJdk(owner.getName())) {
      // The JDK: java.base is read by every module; another JDK module only if required
      // transitively (OAuth2ClientCredentials' HttpClient needs java.net.http).
      return owner.getName().equals("java.base") || module.requiresTransitively(owner.getName())
          ? null
          : "the module does not require " + owner.getName() + " transitively";
    }
    if (name.startsWith("io.eventbus.")) {
      if (!reachable.contains(type.getPackageName())) {
        return "its package is not exported";
      }
      for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
        if (!Modifier.isPublic(c.getModifiers())) {
          return "it is not public";
        }
      }
      return null;
    }
    for (String prefix : FOREIGN.get(module.name())) {
      if (name.startsWith(prefix)) {
        return null;
      }
    }
    return "the module does not require its library transitively";
  }

  private static boolean isJdk(String module) {
    return module.startsWith("java.") || module.startsWith("jdk.");
  }

  record Mention(String where, Class<?> type) {}

  /** Every type the API of {@code type} mentions: supertypes and its visible members. */
  private static List<Mention> mentions(Class<?> type) {
    List<Mention> mentions = new ArrayList<>();
    String name = type.getName();
    walk(type.getGenericSuperclass(), t -> mentions.add(new Mention(name + " extends", t)));
    for (Type parent : type.getGenericInterfaces()) {
      walk(parent, t -> mentions.add(new Mention(name + " implements", t)));
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (visible(type, constructor)) {
        executable(constructor, constructor.toGenericString(), mentions);
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (visible(type, method) && !method.isSynthetic()) {
        walk(
            method.getGenericReturnType(),
            t -> mentions.add(new Mention(method.toGenericString(), t)));
        executable(method, method.toGenericString(), mentions);
      }
    }
    for (Field field : type.getDeclaredFields()) {
      if (visible(type, field) && !field.isSynthetic()) {
        walk(field.getGenericType(), t -> mentions.add(new Mention(field.toGenericString(), t)));
      }
    }
    return mentions;
  }

  private static void executable(Executable executable, String where, List<Mention> mentions) {
    for (Type parameter : executable.getGenericParameterTypes()) {
      walk(parameter, t -> mentions.add(new Mention(where, t)));
    }
    for (Type thrown : executable.getGenericExceptionTypes()) {
      walk(thrown, t -> mentions.add(new Mention(where, t)));
    }
  }

  /** Public members, and protected ones of classes that can be extended. */
  private static boolean visible(Class<?> owner, Member member) {
    int modifiers = member.getModifiers();
    return Modifier.isPublic(modifiers)
        || (Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers()));
  }

  private static void walk(Type type, java.util.function.Consumer<Class<?>> found) {
    walk(type, found, new LinkedHashSet<>());
  }

  private static void walk(Type type, java.util.function.Consumer<Class<?>> found, Set<Type> seen) {
    if (type == null || !seen.add(type)) {
      return;
    }
    if (type instanceof Class<?> c) {
      found.accept(c);
    } else if (type instanceof ParameterizedType p) {
      walk(p.getRawType(), found, seen);
      for (Type argument : p.getActualTypeArguments()) {
        walk(argument, found, seen);
      }
    } else if (type instanceof WildcardType w) {
      Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
          .forEach(bound -> walk(bound, found, seen));
    } else if (type instanceof TypeVariable<?> v) {
      for (Type bound : v.getBounds()) {
        walk(bound, found, seen);
      }
    } else if (type instanceof GenericArrayType a) {
      walk(a.getGenericComponentType(), found, seen);
    }
  }

  /**
   * The packages docs/architecture.md marks as exported for {@code module}: the rows of its
   * "Packages by audience" table whose module column names it and whose exported column says yes.
   */
  private static Set<String> documentedExports(String module) throws IOException {
    Path docs = Path.of("..", "docs", "architecture.md");
    Pattern row = Pattern.compile("^\\| `([a-z0-9.]+)` \\| `([a-z0-9.]+)` \\| yes \\|");
    Set<String> packages = new TreeSet<>();
    for (String line : Files.readAllLines(docs)) {
      Matcher matcher = row.matcher(line);
      if (matcher.find() && matcher.group(2).equals(module)) {
        packages.add(matcher.group(1));
      }
    }
    return packages;
  }

  /** A library module: its descriptor, and the class names in the folder or jar that holds it. */
  record Module(ModuleDescriptor descriptor, List<String> classNames) {
    static Module read(Class<?> anchor) throws Exception {
      Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      List<String> files = new ArrayList<>();
      ModuleDescriptor descriptor;
      if (Files.isDirectory(root)) {
        try (Stream<Path> walk = Files.walk(root)) {
          walk.map(file -> root.relativize(file).toString().replace('\\', '/')).forEach(files::add);
        }
        try (InputStream in = Files.newInputStream(root.resolve("module-info.class"))) {
          descriptor = ModuleDescriptor.read(in);
        }
      } else {
        try (JarFile jar = new JarFile(root.toFile())) {
          jar.stream().map(JarEntry::getName).forEach(files::add);
          try (InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
          }
        }
      }
      List<String> classes =
          files.stream()
              .filter(f -> f.endsWith(".class") && !f.endsWith("module-info.class"))
              .filter(f -> !f.endsWith("package-info.class"))
              .map(f -> f.replace('/', '.').replaceAll("\\.class$", ""))
              .toList();
      return new Module(descriptor, classes);
    }

    String name() {
      return descriptor.name();
    }

    boolean requiresTransitively(String other) {
      return descriptor.requires().stream()
          .anyMatch(
              r ->
                  r.name().equals(other)
                      && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE));
    }

    Set<String> exported() {
      return descriptor.exports().stream()
          .map(ModuleDescriptor.Exports::source)
          .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The public types of the exported packages, nested ones included. */
    List<Class<?>> exportedTypes() throws ClassNotFoundException {
      Set<String> exported = exported();
      List<Class<?>> types = new ArrayList<>();
      for (String name : classNames) {
        Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
        if (exported.contains(type.getPackageName()) && reachable(type)) {
          types.add(type);
        }
      }
      return types;
    }

    private static boolean reachable(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
        if (!Modifier.isPublic(c.getModifiers()) && !Modifier.isProtected(c.getModifiers())) {
          return false;
        }
      }
      return !type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic();
    }
  }
}
