package io.eventbus.testkit.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the installed RabbitMQ scripts ({@code rabbitmq-server}, {@code rabbitmqctl}) for one
 * private node: with the node's environment, in its folder, each within {@link #TIMEOUT}, and fails
 * with the command's output and the node's log folder. Commands that run at once share one output
 * file, so a caller that runs them concurrently may see another's output in a failure.
 */
final class NodeCommands {
  /** How long one command may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path sbin;
  private final Path folder;
  private final Path logs;
  private final String nodeName;
  private final Map<String, String> environment;

  NodeCommands(Path sbin, NodeFiles files) {
    this.sbin = sbin;
    this.folder = files.folder();
    this.logs = files.logFolder();
    this.nodeName = files.nodeName();
    this.environment = Map.copyOf(files.environment());
  }

  /** Starts the node in the background ({@code rabbitmq-server -detached}). */
  void startDetached() {
    run(List.of(sbin.resolve("rabbitmq-server").toString(), "-detached"));
  }

  /**
   * Runs {@code rabbitmqctl -n <node> args...} and returns its output.
   *
   * @throws IllegalStateException if it fails or takes longer than {@link #TIMEOUT}
   */
  String rabbitmqctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(sbin.resolve("rabbitmqctl").toString());
    command.add("-n");
    command.add(nodeName);
    command.addAll(List.of(args));
    return run(command);
  }

  private String run(List<String> command) {
    Path output = folder.resolve("command.out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .directory(folder.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            describe(command) + " did not finish within " + TIMEOUT + " (logs in " + logs + ")");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            describe(command)
                + " exited with "
                + process.exitValue()
                + ": "
                + text.strip()
                + " (logs in "
                + logs
                + ")");
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + describe(command), e);
    }
  }

  /** The command's first four words at most, the script without its folder. */
  static String describe(List<String> command) {
    return String.join(" ", command.subList(0, Math.min(4, command.size())))
        .replace(command.get(0), Path.of(command.get(0)).getFileName().toString());
  }
}
