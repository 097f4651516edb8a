package io.eventbus.jdbc;

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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modular application with the outbox on the module path, against the real PostgreSQL: the module
 * {@code io.eventbus.jdbc} loads its SQL scripts ({@code createSchema}), reaches the PostgreSQL
 * driver it only {@code requires static} to LISTEN for commits, and relays a stored event to a
 * handler. The tests themselves run on the class path; this one starts a JVM of its own.
 */
class ModulePathIT {
  @RegisterExtension static final TestDatabase database = TestDatabase.create();

  private static final String MODULE_INFO =
      """
      module com.acme.shop {
        requires io.eventbus.jdbc;
        requires io.eventbus.inmemory;
        requires org.postgresql.jdbc;
        requires java.naming; // the driver's DataSource implements javax.naming.Referenceable
        opens com.acme.shop.events to com.fasterxml.jackson.databind, io.eventbus;
      }
      """;

  private static final Map<String, String> SOURCES =
      Map.of(
          "com/acme/shop/events/OrderPlaced.java",
          """
          package com.acme.shop.events;

          @io.eventbus.EventType("acme.order.placed.v1")
          public record OrderPlaced(@io.eventbus.PartitionKey String orderId) {}
          """,
          "com/acme/shop/Main.java",
          """
          package com.acme.shop;

          import com.acme.shop.events.OrderPlaced;
          import io.eventbus.EventBus;
          import io.eventbus.Handlers;
          import io.eventbus.SubscriptionOptions;
          import io.eventbus.inmemory.InMemoryTransport;
          import io.eventbus.jdbc.JdbcTables;
          import io.eventbus.jdbc.Outbox;
          import java.sql.Connection;
          import java.time.Duration;
          import java.util.concurrent.LinkedBlockingQueue;
          import java.util.concurrent.TimeUnit;
          import org.postgresql.ds.PGSimpleDataSource;

          public class Main {
            public static void main(String[] args) throws Exception {
              PGSimpleDataSource dataSource = new PGSimpleDataSource();
              dataSource.setUrl(args[0]);
              LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
              try (EventBus bus = EventBus.builder().transport(InMemoryTransport.create())
                      .register(OrderPlaced.class)
                      .subscribe(SubscriptionOptions.named("shipping"), Handlers.builder()
                          .on(OrderPlaced.class, (event, context) -> handled.add(event.orderId()))
                          .build())
                      .build();
                  Outbox outbox = Outbox.builder(bus, dataSource)
                      .tables(JdbcTables.defaults().withSchema(args[1]))
                      .createSchema(true)
                      .pollInterval(Duration.ofHours(1)) // only a notification wakes the relay
                      .build()) {
                for (String orderId : new String[] {"o-1", "o-2"}) {
                  try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    outbox.store(connection, new OrderPlaced(orderId));
                    connection.commit();
                  }
                  System.out.println("handled " + handled.poll(20, TimeUnit.SECONDS));
                }
              }
            }
          }
          """);

  @Test
  void aModularApplicationStoresThroughTheOutboxAndTheRelayListensThroughTheOptionalDriver(
      @TempDir Path work) throws Exception {
    Path sources = work.resolve("src");
    Path classes = work.resolve("classes");
    write(sources.resolve("module-info.java"), MODULE_INFO);
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
    assertThat(classes.resolve("module-info.class")).as(compiled).exists();

    String output =
        exec(
            List.of(
                tool("java"),
                "--module-path",
                modulePath + File.pathSeparator + classes,
                "-m",
                "com.acme.shop/com.acme.shop.Main",
                TestDatabase.URL,
                database.schema()));

    assertThat(output)
        .contains("Outbox on " + database.schema() + ".eventbus_outbox started")
        .contains("handled o-1")
        .contains("handled o-2")
        .doesNotContain("cannot LISTEN")
        .doesNotContain("Exception");
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
   * The libraries an application with the outbox, the in-memory transport and the PostgreSQL driver
   * needs, from this test's class path: our modules (jars or class folders with a module
   * descriptor) and their dependencies; slf4j-simple so that the relay's log lines show.
   */
  private static String modulePath() {
    List<String> ours = List.of("eventbus-api", "eventbus-inmemory", "eventbus-jdbc");
    List<String> prefixes =
        List.of(
            "jackson-",
            "slf4j-api",
            "slf4j-simple",
            "opentelemetry-api",
            "opentelemetry-context",
            "opentelemetry-common",
            "resilience4j-",
            "jspecify",
            "postgresql");
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(
            entry -> {
              String name = entry.getFileName().toString();
              String path = entry.toString().replace('\\', '/');
              boolean ourFolder =
                  Files.exists(entry.resolve("module-info.class"))
                      && ours.stream().anyMatch(module -> path.contains(module + "/"));
              boolean ourJar = ours.stream().anyMatch(module -> name.startsWith(module + "-0"));
              return ourFolder || ourJar || prefixes.stream().anyMatch(name::startsWith);
            })
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
