package io.eventbus.benchmarks.chaos;

import io.eventbus.testkit.Await;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.fault.ConnectionCutter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos scenario: a consumer process and a publisher process (separate JVMs, same classpath)
 * run against private RabbitMQ nodes while a fault is applied, and every event is accounted for by
 * id from the processes' logs: confirmed by the publisher, handled by the consumer. Lost means
 * confirmed and never handled.
 */
public final class ChaosRun {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
  private static final Duration SETTLE = Duration.ofMinutes(2);

  /** The faults, as in issue 7. */
  public enum Scenario {
    CONNECTION_CUTS("every connection cut through a proxy every 3 s"),
    NODE_RESTARTS("the broker node stopped and started again, twice"),
    CONSUMER_SIGKILL("the consumer process killed with SIGKILL mid-stream and restarted"),
    MEMORY_ALARM("a memory alarm raised for 3 s during publishing, then cleared"),
    CLUSTER_FAILOVER("3-node cluster, quorum queue: the node the clients use is stopped");

    final String description;

    Scenario(String description) {
      this.description = description;
    }
  }

  /** What one run counted. */
  public record Result(
      Scenario scenario,
      Duration length,
      int rate,
      int published,
      int confirmed,
      int failed,
      int handledUnique,
      int handledTotal,
      List<String> lost,
      String faults,
      Duration elapsed) {
    public int duplicates() {
      return handledTotal - handledUnique;
    }
  }

  private final Path work;

  public ChaosRun(Path work) {
    this.work = work;
  }

  /** Runs {@code scenario} against {@code nodes} (one node, or a cluster for failover). */
  public Result run(Scenario scenario, List<PrivateRabbitNode> nodes, Duration length, int rate)
      throws Exception {
    String run =
        scenario.name().toLowerCase().replace('_', '-')
            + "-"
            + UUID.randomUUID().toString().substring(0, 6);
    Path dir = Files.createDirectories(work.resolve(run));
    String exchange = "chaos-" + run;
    int events = (int) (rate * length.toSeconds());
    long started = System.nanoTime();
    PrivateRabbitNode first = nodes.get(0);
    try (ConnectionCutter cutter = ConnectionCutter.start(first.host(), first.port())) {
      String uris =
          scenario == Scenario.CONNECTION_CUTS
              ? cutter.proxiedUri(first.uri())
              : nodes.stream().map(PrivateRabbitNode::uri).collect(Collectors.joining(","));
      List<String> common =
          List.of("--uris", uris, "--exchange", exchange, "--dir", dir.toString());
      List<String> consumerArgs = new ArrayList<>(common);
      consumerArgs.addAll(List.of("--subscription", "chaos-" + run));
      Process consumer = startConsumer(consumerArgs, dir, 1);
      log.info("{}: consumer ready after {} ms", scenario, ms(started));
      Process publisher = startPublisher(common, events, rate, run, dir);

      StringBuilder faults = new StringBuilder();
      consumer =
          applyFault(
              scenario, nodes, cutter, publisher, consumer, consumerArgs, dir, length, faults);

      log.info("{}: faults applied after {} ms", scenario, ms(started));
      if (!publisher.waitFor(length.toSeconds() + SETTLE.toSeconds(), TimeUnit.SECONDS)) {
        publisher.destroyForcibly();
        throw new IllegalStateException("the publisher did not finish; see " + dir);
      }
      log.info("{}: publisher exited after {} ms", scenario, ms(started));
      List<String> confirmed = IdLog.read(dir.resolve("confirmed.log"));
      awaitHandled(dir, new HashSet<>(confirmed));
      log.info("{}: all handled after {} ms", scenario, ms(started));
      consumer.destroy();
      consumer.waitFor(30, TimeUnit.SECONDS);
      log.info("{}: consumer stopped after {} ms", scenario, ms(started));

      List<String> handled = IdLog.read(dir.resolve("handled.log"));
      Set<String> handledUnique = new HashSet<>(handled);
      List<String> lost =
          confirmed.stream().filter(id -> !handledUnique.contains(id)).sorted().toList();
      Result result =
          new Result(
              scenario,
              length,
              rate,
              events,
              confirmed.size(),
              IdLog.read(dir.resolve("failed.log")).size(),
              handledUnique.size(),
              handled.size(),
              lost,
              faults.toString(),
              Duration.ofNanos(System.nanoTime() - started));
      log.info("{}: {}", scenario, result);
      return result;
    }
  }

  private Process applyFault(
      Scenario scenario,
      List<PrivateRabbitNode> nodes,
      ConnectionCutter cutter,
      Process publisher,
      Process consumer,
      List<String> consumerArgs,
      Path dir,
      Duration length,
      StringBuilder faults)
      throws Exception {
    long third = length.toMillis() / 3;
    PrivateRabbitNode node = nodes.get(0);
    switch (scenario) {
      case CONNECTION_CUTS -> {
        int cuts = 0;
        while (!publisher.waitFor(3, TimeUnit.SECONDS)) {
          cutter.cutAll();
          cuts++;
        }
        faults.append(cuts).append(" cuts of every connection");
      }
      case NODE_RESTARTS -> {
        for (int i = 0; i < 2; i++) {
          publisher.waitFor(third, TimeUnit.MILLISECONDS);
          // What stop_app and start_app do, in one call: each rabbitmqctl costs a VM's start.
          node.rabbitmqctl("eval", "ok = rabbit:stop(), ok = rabbit:start().");
        }
        faults.append("2 restarts (stop_app, start_app)");
      }
      case CONSUMER_SIGKILL -> {
        publisher.waitFor(length.toMillis() / 2, TimeUnit.MILLISECONDS);
        consumer.destroyForcibly();
        consumer.waitFor(10, TimeUnit.SECONDS);
        faults
            .append("consumer SIGKILLed (exit ")
            .append(consumer.exitValue())
            .append("), restarted");
        return startConsumer(consumerArgs, dir, 2);
      }
      case MEMORY_ALARM -> {
        publisher.waitFor(third, TimeUnit.MILLISECONDS);
        // What set_vm_memory_high_watermark does, twice in one call: the alarm lasts 3 s, not 3 s
        // plus the start of a second rabbitmqctl.
        node.rabbitmqctl(
            "eval",
            "ok = vm_memory_monitor:set_vm_memory_high_watermark(0), timer:sleep(3000),"
                + " ok = vm_memory_monitor:set_vm_memory_high_watermark(0.4).");
        faults.append("memory watermark 0 for 3 s, then 0.4");
      }
      case CLUSTER_FAILOVER -> {
        publisher.waitFor(third, TimeUnit.MILLISECONDS);
        node.rabbitmqctl("stop_app");
        faults.append("stop_app on ").append(node.nodeName()).append(" of ").append(nodes.size());
      }
    }
    return consumer;
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  /**
   * Starts a {@link ChaosPublisher} with the {@code common} arguments that publishes {@code events}
   * at {@code rate} per second, with ids prefixed {@code run}, and waits until it is connected.
   */
  static Process startPublisher(List<String> common, int events, int rate, String run, Path dir) {
    List<String> args = new ArrayList<>(common);
    args.addAll(
        List.of(
            "--events", "" + events, "--rate", "" + rate, "--run", run, "--timeout-seconds", "60"));
    return start(ChaosPublisher.class, args, dir.resolve("publisher.out"));
  }

  static Process startConsumer(List<String> args, Path dir, int generation) {
    return start(ChaosConsumer.class, args, dir.resolve("consumer-" + generation + ".out"));
  }

  /**
   * Starts {@code main} in a JVM of its own ({@link #spawn}) and waits up to a minute until it
   * prints READY: faults are applied to a process that is up, not to one still starting.
   */
  static Process start(Class<?> main, List<String> args, Path out) {
    Process process = spawn(main, args, out);
    try {
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            if (Files.exists(out)
                && Files.readString(out, StandardCharsets.UTF_8).contains("READY")) {
              return true;
            }
            if (!process.isAlive()) {
              throw new IllegalStateException(main.getSimpleName() + " exited; see " + out);
            }
            return false;
          },
          main.getSimpleName() + " to print READY (see " + out + ")");
    } catch (RuntimeException | AssertionError e) {
      process.destroyForcibly();
      throw e;
    }
    return process;
  }

  private void awaitHandled(Path dir, Set<String> confirmed) throws InterruptedException {
    long until = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < until) {
      if (new HashSet<>(IdLog.read(dir.resolve("handled.log"))).containsAll(confirmed)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /** Starts {@code main} in a new JVM with this JVM's classpath, output to {@code out}. */
  static Process spawn(Class<?> main, List<String> args, Path out) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // Short-lived processes on a machine that may have two busy cores: no optimising compiler, one
    // GC thread. They are timed in seconds, not benchmarked.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
