package io.eventbus.jdbc;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@code eventbus-jdbc}, read from its {@code module-info} as {@code
 * eventbus-rabbitmq}'s {@code PublicApiTest} reads the other libraries' (that test cannot see this
 * module: this module's tests depend on {@code eventbus-rabbitmq}): it exports exactly the packages
 * docs/architecture.md lists as exported for {@code io.eventbus.jdbc}, everything else it holds is
 * {@code internal}, and no exported type's supertypes, constructors, fields or methods mention a
 * type users cannot reach.
 */
class PublicApiTest {
  private static final String MODULE = "io.eventbus.jdbc";

  /** What users of this module can reach: its own export and the core's, which it requires. */
  private static final Set<String> REACHABLE =
      Set.of(
          "io.eventbus.jdbc",
          "io.eventbus",
          "io.eventbus.codec",
          "io.eventbus.middleware",
          "io.eventbus.spi");

  /** Libraries the module requires transitively (through {@code io.eventbus}), besides java.*. */
  private static final List<String> FOREIGN = List.of("io.opentelemetry.", "org.jspecify.");

  @Test
  void theModuleExportsExactlyItsDocumentedPackageAndHidesOnlyInternalOnes() throws Exception {
    ModuleDescriptor descriptor = descriptor();
    Set<String> exported = exported(descriptor);

    assertThat(descriptor.name()).isEqualTo(MODULE);
    assertThat(exported).containsExactly("io.eventbus.jdbc");
    assertThat(documentedExports())
        .as("exported packages of %s in docs/architecture.md", MODULE)
        .isEqualTo(exported);
    assertThat(descriptor.packages())
        .filteredOn(p -> !exported.contains(p))
        .allSatisfy(hidden -> assertThat(hidden).contains(".internal"));
    assertThat(descriptor.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
    assertThat(descriptor.requires())
        .filteredOn(r -> r.name().equals("org.postgresql.jdbc"))
        .singleElement()
        .satisfies(
            driver ->
                assertThat(driver.modifiers())
                    .as("the driver is optional")
                    .contains(ModuleDescriptor.Requires.Modifier.STATIC));
  }

  @Test
  void noExportedSignatureMentionsATypeUsersCannotReach() throws Exception {
    List<String> leaks = new ArrayList<>();
    List<Class<?>> types = exportedTypes(exported(descriptor()));
    assertThat(types).as("exported types").contains(Outbox.class, Outbox.Builder.class);
    for (Class<?> type : types) {
      for (Mention mention : mentions(type)) {
        String problem = problem(mention.type());
        if (problem != null) {
          leaks.add(mention.where() + " mentions " + mention.type().getName() + ": " + problem);
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  /** Why users could not use {@code type} in this module's API, or null if they can. */
  private static String problem(Class<?> type) {
    while (type.isArray()) {
      type = type.getComponentType();
    }
    String name = type.getName();
    if (type.isPrimitive() || name.startsWith("java.") || name.startsWith("javax.sql.")) {
      return null;
    }
    if (name.startsWith("io.eventbus.")) {
      if (!REACHABLE.contains(type.getPackageName())) {
        return "its package is not exported";
      }
      for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
        if (!Modifier.isPublic(c.getModifiers())) {
          return "it is not public";
        }
      }
      return null;
    }
    return FOREIGN.stream().anyMatch(name::startsWith)
        ? null
        : "the module does not require its library transitively";
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

  private static void walk(Type type, Consumer<Class<?>> found) {
    walk(type, found, new LinkedHashSet<>());
  }

  private static void walk(Type type, Consumer<Class<?>> found, Set<Type> seen) {
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

  /** The packages docs/architecture.md's "Packages by audience" table marks as exported here. */
  private static Set<String> documentedExports() throws IOException {
    Pattern row = Pattern.compile("^\\| `([a-z0-9.]+)` \\| `([a-z0-9.]+)` \\| yes \\|");
    Set<String> packages = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("..", "docs", "architecture.md"))) {
      Matcher matcher = row.matcher(line);
      if (matcher.find() && matcher.group(2).equals(MODULE)) {
        packages.add(matcher.group(1));
      }
    }
    return packages;
  }

  /** The module's classes folder (the build's {@code target/classes}). */
  private static Path root() throws Exception {
    Path root = Path.of(Outbox.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(root).as("the module's classes folder").isDirectory();
    return root;
  }

  private static ModuleDescriptor descriptor() throws Exception {
    try (InputStream in = Files.newInputStream(root().resolve("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  private static Set<String> exported(ModuleDescriptor descriptor) {
    return descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The public types of the exported packages, nested ones included. */
  private static List<Class<?>> exportedTypes(Set<String> exported) throws Exception {
    Path root = root();
    List<String> names;
    try (Stream<Path> files = Files.walk(root)) {
      names =
          files
              .map(file -> root.relativize(file).toString().replace('\\', '/'))
              .filter(f -> f.endsWith(".class"))
              .filter(f -> !f.endsWith("module-info.class") && !f.endsWith("package-info.class"))
              .map(f -> f.replace('/', '.').replaceAll("\\.class$", ""))
              .toList();
    }
    List<Class<?>> types = new ArrayList<>();
    for (String name : names) {
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
