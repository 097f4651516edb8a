package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modular application on the module path, as docs/architecture.md tells users to write it: it
 * compiles against the exported packages only, finds the RabbitMQ transport's provider as a
 * service, and publishes and handles a package-private record (Jackson and the bus reach it through
 * the documented {@code opens}). Without the {@code opens} it fails with a message that says so.
 * The tests themselves run on the class path; this one starts a JVM of its own.
 */
class ModulePathTest {
  private static final String MODULE_INFO =
      """
      module com.acme.orders {
        requires io.eventbus.rabbitmq;
        requires io.eventbus.inmemory;
        %s
      }
      """;
  private static final String OPENS =
      "opens com.acme.orders.events to com.fasterxml.jackson.databind, io.eventbus;";

  private static final Map<String, String> SOURCES =
      Map.of(
          "com/acme/orders/events/OrderPlaced.java",
          """
          package com.acme.orders.events;

          @io.eventbus.EventType("acme.order.placed.v1")
          record OrderPlaced(@io.eventbus.PartitionKey String orderId, int items) {}
          """,
          "com/acme/orders/events/Events.java",
          """
          package com.acme.orders.events;

          public final class Events {
            public static Object placed(String id, int items) { return new OrderPlaced(id, items); }
            public static Class<?> type() { return OrderPlaced.class; }
          }
          """,
          "com/acme/orders/Main.java",
          """
          package com.acme.orders;

          import io.eventbus.EventBus;
          import io.eventbus.Handlers;
          import io.eventbus.SubscriptionOptions;
          import io.eventbus.inmemory.InMemoryTransport;
          import io.eventbus.spi.TransportProvider;
          import java.util.concurrent.CountDownLatch;
          import java.util.concurrent.TimeUnit;

          public class Main {
            @SuppressWarnings("unchecked")
            public static void main(String[] args) throws Exception {
              System.out.println("providers " + TransportProvider.installed().stream()
                  .map(TransportProvider::name).toList());
              Class<Object> type = (Class<Object>) com.acme.orders.events.Events.type();
              CountDownLatch handled = new CountDownLatch(1);
              try (EventBus bus = EventBus.builder().transport(InMemoryTransport.create())
                  .subscribe(SubscriptionOptions.named("shipping"), Handlers.builder()
                      .on(type, (event, context) -> {
                        System.out.println("handled " + event);
                        handled.countDown();
                      }).build())
                  .build()) {
                bus.publishAndWait(com.acme.orders.events.Events.placed("o-1", 2));
                System.out.println("done " + handled.await(10, TimeUnit.SECONDS));
              }
            }
          }
          """);

  @Test
  void aModularApplicationWithTheDocumentedOpensPublishesAndHandlesItsRecords(@TempDir Path work)
      throws Exception {
    String output = run(work, OPENS);

    assertThat(output)
        .contains("providers [rabbitmq]")
        .contains("handled OrderPlaced[orderId=o-1, items=2]")
        .contains("done true");
  }

  @Test
  void withoutTheOpensTheFailureSaysWhatToOpen(@TempDir Path work) throws Exception {
    String output = run(work, "");

    assertThat(output)
        .contains("does not \"opens com.acme.orders.events\" to module io.eventbus")
        .doesNotContain("done true");
  }

  /**
   * Compiles the application with {@code opens}, runs it on the module path, returns its output.
   */
  private static String run(Path work, String opens) throws Exception {
    Path sources = work.resolve("src");
    Path classes = work.resolve("classes");
    write(sources.resolve("module-info.java"), MODULE_INFO.formatted(opens));
    for (Map.Entry<String, String> source : SOURCES.entrySet()) {
      write(sources.resolve(source.getKey()), source.getValue());
    }
    String modulePath = modulePath();
    List<String> javac =
        new ArrayList<>(
            List.of(tool("javac"), "-d", classes.toString(), "--module-path", modulePath));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> javac.add(f.toString()));
    }
    String compiled = exec(javac);
    assertThat(Files.exists(classes.resolve("module-info.class"))).as(compiled).isTrue();

    return exec(
        List.of(
            tool("java"),
            "--module-path",
            modulePath + File.pathSeparator + classes,
            "--add-modules",
            "io.eventbus.rabbitmq",
            "-m",
            "com.acme.orders/com.acme.orders.Main"));
  }

  private static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  /** Runs {@code command} to its end and returns what it printed. */
  private static String exec(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ends", command.get(0)).isTrue();
    return output;
  }

  /**
   * The libraries an application on the RabbitMQ and in-memory transports needs, from this test's
   * class path: our three modules (jars or class folders with a module descriptor) and their
   * dependencies. Test libraries stay off it: Testcontainers, for one, splits a package.
   */
  private static String modulePath() {
    List<String> prefixes =
        List.of(
            "jackson-",
            "slf4j-api",
            "opentelemetry-api",
            "opentelemetry-context",
            "opentelemetry-common",
            "resilience4j-",
            "jspecify",
            "amqp-client",
            "netty-");
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(
            entry -> {
              String name = entry.getFileName().toString();
              String path = entry.toString().replace('\\', '/');
              boolean ours =
                  Files.exists(entry.resolve("module-info.class"))
                      && Stream.of("eventbus-api/", "eventbus-inmemory/", "eventbus-rabbitmq/")
                          .anyMatch(path::contains);
              boolean ourJar =
                  Stream.of("eventbus-api-", "eventbus-inmemory-", "eventbus-rabbitmq-")
                      .anyMatch(name::startsWith);
              return ours || ourJar || prefixes.stream().anyMatch(name::startsWith);
            })
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
