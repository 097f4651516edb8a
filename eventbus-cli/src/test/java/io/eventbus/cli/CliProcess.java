package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged tool, {@code target/eventbus-cli.jar}, as a process of its own. */
final class CliProcess {
  static final Path JAR = Path.of("target", "eventbus-cli.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a run left: its exit code and both streams. */
  record Result(int exitCode, String out, String err) {
    /** stdout's lines parsed as JSON objects. */
    List<JsonNode> json() {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          try {
            lines.add(JSON.readTree(line));
          } catch (IOException e) {
            throw new AssertionError("Not a JSON line: " + line + "\nstderr: " + err, e);
          }
        }
      }
      return lines;
    }

    /** Both streams, for assertions about everything the tool printed. */
    String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private CliProcess() {}

  static void requireJar() {
    assertThat(JAR)
        .as("the runnable jar; build it with ./mvnw -pl eventbus-cli -am verify (package phase)")
        .exists();
  }

  /** Runs {@code eventbus args...} with {@code stdin} as its input. */
  static Result run(Map<String, String> environment, String stdin, List<String> args) {
    return finish(start(environment, stdin, args));
  }

  /** Starts {@code eventbus args...}; {@link #finish} waits for it. */
  static Process start(Map<String, String> environment, String stdin, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A command runs for a second or two: the quick compiler alone and one GC thread spare the
    // machine's cores, which the tests share with the broker.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("EVENTBUS_URI");
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Result finish(Process process) {
    try {
      // Read both streams while waiting, so a full pipe cannot stall the tool.
      var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process, false));
      var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(process, true));
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("eventbus-cli did not finish within 120 s");
      }
      return new Result(process.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
    }
  }

  private static String read(Process process, boolean error) {
    try {
      return new String(
          (error ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String readFile(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
