package io.eventbus.samples.orders.spring;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures start-up time and memory of the shipping service, plain (samples/order-flow, --role
 * shipping) and on Spring Boot (samples/order-flow-spring), the same way: from starting the JVM
 * until every partition queue of the shipping subscription has a consumer (seen from outside, on
 * the broker), with the CPU time the process used until then (less sensitive than the wall time to
 * other load on the machine), then, two seconds later, its resident set and its live heap after a
 * full GC (jcmd).
 *
 * <p>Run from the repository's root after building both samples (see the README): {@code java -cp
 * "samples/order-flow-spring/target/lib/*"
 * samples/order-flow-spring/src/test/java/io/eventbus/samples/orders/spring/StartupFootprint.java
 * 5}
 */
final class StartupFootprint {
  private static final String URI = "amqp://guest:guest@127.0.0.1:5672";

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Variant> variants =
        List.of(
            new Variant(
                "plain",
                ns ->
                    List.of(
                        "java",
                        "-jar",
                        "samples/order-flow/target/order-flow.jar",
                        "--role",
                        "shipping",
                        "--namespace",
                        ns,
                        "--plain")),
            new Variant(
                "spring-web",
                ns ->
                    List.of(
                        "java",
                        "-jar",
                        "samples/order-flow-spring/target/order-flow-spring.jar",
                        "--order-flow.namespace=" + ns,
                        "--order-flow.demo.orders=0",
                        "--server.port=0")),
            new Variant(
                "spring-noweb",
                ns ->
                    List.of(
                        "java",
                        "-jar",
                        "samples/order-flow-spring/target/order-flow-spring.jar",
                        "--order-flow.namespace=" + ns,
                        "--order-flow.demo.orders=0",
                        "--spring.main.web-application-type=none")));
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(URI);
    try (Connection admin = factory.newConnection("startup-footprint")) {
      System.out.println("variant       run  ready_ms   cpu_s  rss_mib  live_heap_mib  load1");
      for (int run = 1; run <= runs; run++) {
        for (Variant variant : variants) {
          String ns = "footprint-" + variant.name + "-" + run + "-" + ProcessHandle.current().pid();
          measure(admin, variant, ns, run);
          cleanup(admin, ns);
        }
      }
    }
  }

  private static void measure(Connection admin, Variant variant, String ns, int run)
      throws Exception {
    Path log = Files.createTempFile("footprint-" + variant.name, ".log");
    long start = System.nanoTime();
    Process process =
        new ProcessBuilder(variant.command.apply(ns))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      long readyNanos = awaitConsumers(admin, ns + ".shipping", process, start);
      double cpuSeconds = cpuSeconds(process.pid());
      // Let start-up work settle (JIT, lazy initialisation) before reading memory.
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
      long rss = rssKib(process.pid());
      long live = liveHeapKib(process.pid());
      System.out.printf(
          Locale.ROOT,
          "%-12s %4d %9d %7.2f %8.1f %14.1f  %s%n",
          variant.name,
          run,
          TimeUnit.NANOSECONDS.toMillis(readyNanos - start),
          cpuSeconds,
          rss / 1024.0,
          live / 1024.0,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } finally {
      process.destroy(); // SIGTERM: a graceful stop, as in production
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      if (System.getenv("FOOTPRINT_KEEP_LOGS") == null) {
        Files.deleteIfExists(log);
      } else {
        System.out.println("  log: " + log);
      }
    }
  }

  /** Waits until each of the four partition queues of {@code subscription} has a consumer. */
  private static long awaitConsumers(
      Connection admin, String subscription, Process process, long start) throws Exception {
    long deadline = start + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited with " + process.exitValue());
      }
      if (consumers(admin, subscription) == 4) {
        return System.nanoTime();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new IllegalStateException("the service did not subscribe within 60 s");
  }

  private static int consumers(Connection admin, String subscription) throws Exception {
    int with = 0;
    for (int p = 0; p < 4; p++) {
      try (Channel channel = admin.createChannel()) {
        if (channel.queueDeclarePassive(subscription + ".p" + p).getConsumerCount() > 0) {
          with++;
        }
      } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
        return 0; // not declared yet
      }
    }
    return with;
  }

  /** User plus system CPU time the process used so far, from /proc (clock ticks of 10 ms). */
  private static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  /** The heap in use after a full GC, from jcmd's GC.heap_info ("used NNNK"). */
  private static long liveHeapKib(long pid) throws Exception {
    run("jcmd", Long.toString(pid), "GC.run");
    String info = run("jcmd", Long.toString(pid), "GC.heap_info");
    java.util.regex.Matcher used =
        java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("unexpected GC.heap_info: " + info);
    }
    return Long.parseLong(used.group(1));
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static void cleanup(Connection admin, String ns) throws Exception {
    List<String> queues = new ArrayList<>();
    for (String subscription : List.of(ns + ".shipping", ns + ".tracking")) {
      for (String suffix :
          List.of(
              "",
              ".dlq",
              ".p0",
              ".p1",
              ".p2",
              ".p3",
              ".retry.500",
              ".retry.2000",
              ".retry.1000",
              ".retry.10000",
              ".retry.60000")) {
        queues.add(subscription + suffix);
      }
    }
    for (String queue : queues) {
      try (Channel channel = admin.createChannel()) {
        channel.queueDelete(queue);
      }
    }
    for (String exchange : List.of(ns, ns + ".shipping.partitions", ns + ".shipping.unkeyed")) {
      try (Channel channel = admin.createChannel()) {
        channel.exchangeDelete(exchange);
      }
    }
  }

  private record Variant(String name, java.util.function.Function<String, List<String>> command) {}
}
