package io.eventbus.benchmarks.chaos;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.RetryPolicy;
import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.RabbitTransport;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dependency outage, with and without a circuit breaker: a consumer process whose handler calls a
 * dependency that is down for a while, and a publisher process at a steady rate, against a private
 * RabbitMQ node. Every event is accounted for by id: confirmed by the publisher, handled by the
 * consumer, or parked in the dead-letter queue. Lost means confirmed and neither. Besides, the run
 * counts the events dead-lettered and the calls the dependency refused while it was down, samples
 * the backlog (the subscription's queue and its retry queues, every 250 ms), and measures the time
 * to drain: from the end of the outage until the backlog is back to at most a fifth of a second of
 * traffic with nothing in the retry queues.
 *
 * <p>The consumer runs 4 handlers, prefetch 100, the default retry policy (3 attempts, 100 ms
 * doubling) or, with {@code fastRetries}, {@link #FAST_RETRIES} (a dependency that fails fast, and
 * a consumer that gets through its events quickly enough to send them round the retry queues), and
 * redelivery delays of 1, 5 and 10 s: 16 s in all, shorter than the outage, as delays often are.
 * With {@code breaker}, its subscription has {@link #BREAKER}.
 */
public final class OutageRun {
  private static final Logger log = LoggerFactory.getLogger(OutageRun.class);
  private static final Duration SETTLE = Duration.ofMinutes(3);
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);

  /** The consumer's redelivery delays. */
  static final List<Duration> REDELIVERY_DELAYS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10));

  /** The in-process retries of a run with {@code fastRetries}: 2 attempts, 10 ms apart. */
  static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(2)
          .backoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10))
          .build();

  /** The circuit breaker of the run with one. */
  static final CircuitBreakerPolicy BREAKER =
      CircuitBreakerPolicy.builder()
          .slidingWindow(20)
          .minimumCalls(10)
          .failureRateThreshold(50)
          .openDuration(Duration.ofSeconds(5))
          .probes(3)
          .build();

  /** What one run counted. */
  public record Result(
      boolean breaker,
      boolean fastRetries,
      Duration length,
      int rate,
      Duration outageAt,
      Duration outage,
      int published,
      int confirmed,
      int failed,
      int handledUnique,
      int handledTotal,
      int deadLettered,
      long refusedCalls,
      List<String> lost,
      long maxBacklog,
      Duration drain,
      Duration elapsed) {
    public int duplicates() {
      return handledTotal - handledUnique;
    }
  }

  private final Path work;

  public OutageRun(Path work) {
    this.work = work;
  }

  /**
   * Publishes {@code rate} events per second for {@code length} to a consumer on {@code node} whose
   * dependency goes down {@code outageAt} after the publisher starts, for {@code outage}.
   */
  public Result run(
      PrivateRabbitNode node,
      boolean breaker,
      boolean fastRetries,
      Duration length,
      int rate,
      Duration outageAt,
      Duration outage)
      throws Exception {
    String run =
        (breaker ? "outage-breaker-" : "outage-plain-")
            + UUID.randomUUID().toString().substring(0, 6);
    Path dir = Files.createDirectories(work.resolve(run));
    Path flag = dir.resolve("dependency-down");
    String exchange = "chaos-" + run;
    String subscription = "chaos-" + run;
    RabbitTopology topology = RabbitTopology.defaults().withExchange(exchange);
    int events = (int) (rate * length.toSeconds());
    long started = System.nanoTime();
    List<String> common =
        List.of("--uris", node.uri(), "--exchange", exchange, "--dir", dir.toString());
    List<String> consumerArgs = new ArrayList<>(common);
    consumerArgs.addAll(
        List.of(
            "--subscription",
            subscription,
            "--dependency-flag",
            flag.toString(),
            "--breaker",
            Boolean.toString(breaker),
            "--retry",
            fastRetries ? "fast" : "default"));
    Process consumer = ChaosRun.startConsumer(consumerArgs, dir, 1);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(node.uri());
    try (Connection admin = factory.newConnection("chaos-outage-sampler")) {
      Process publisher = ChaosRun.startPublisher(common, events, rate, run, dir);
      long publishing = System.nanoTime();
      long down = publishing + outageAt.toNanos();
      long up = down + outage.toNanos();
      Backlog backlog = new Backlog(admin, subscription, topology, rate);
      boolean flagged = false;
      boolean cleared = false;
      long drainedAt = 0;
      long settleBy = up + SETTLE.toNanos();
      while (System.nanoTime() < settleBy) {
        long now = System.nanoTime();
        if (!flagged && now >= down) {
          Files.createFile(flag);
          flagged = true;
        }
        if (flagged && !cleared && now >= up) {
          Files.delete(flag);
          cleared = true;
        }
        boolean drained = backlog.sample();
        if (cleared && drainedAt == 0 && drained) {
          drainedAt = System.nanoTime();
        }
        if (drainedAt != 0 && !publisher.isAlive()) {
          break;
        }
        TimeUnit.NANOSECONDS.sleep(SAMPLE_EVERY.toNanos());
      }
      if (!publisher.waitFor(length.toSeconds() + SETTLE.toSeconds(), TimeUnit.SECONDS)) {
        publisher.destroyForcibly();
        throw new IllegalStateException("the publisher did not finish; see " + dir);
      }
      List<String> confirmed = IdLog.read(dir.resolve("confirmed.log"));
      Set<String> parked = new HashSet<>();
      long until = System.nanoTime() + SETTLE.toNanos();
      Set<String> accounted = new HashSet<>();
      while (System.nanoTime() < until) {
        parked = parked(node, topology, subscription);
        accounted = new HashSet<>(IdLog.read(dir.resolve("handled.log")));
        accounted.addAll(parked);
        if (accounted.containsAll(confirmed)) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(500);
      }
      consumer.destroy();
      consumer.waitFor(30, TimeUnit.SECONDS);
      Path refusedCount = dir.resolve("refused.count");
      long refused =
          Files.exists(refusedCount) ? Long.parseLong(Files.readString(refusedCount).trim()) : -1;
      List<String> handled = IdLog.read(dir.resolve("handled.log"));
      Set<String> all = accounted;
      Result result =
          new Result(
              breaker,
              fastRetries,
              length,
              rate,
              outageAt,
              outage,
              events,
              confirmed.size(),
              IdLog.read(dir.resolve("failed.log")).size(),
              new HashSet<>(handled).size(),
              handled.size(),
              parked.size(),
              refused,
              confirmed.stream().filter(id -> !all.contains(id)).sorted().toList(),
              backlog.max,
              drainedAt == 0 ? Duration.ofNanos(-1) : Duration.ofNanos(drainedAt - up),
              Duration.ofNanos(System.nanoTime() - started));
      log.info("{}", result);
      deleteTopology(admin, subscription, topology, exchange);
      return result;
    } finally {
      consumer.destroyForcibly();
    }
  }

  /** The ids of the events parked in the subscription's dead-letter queue. */
  private static Set<String> parked(
      PrivateRabbitNode node, RabbitTopology topology, String subscription) {
    try (RabbitTransport transport =
        RabbitTransport.builder()
            .uri(node.uri())
            .connectionName("chaos-outage-dead-letters")
            .topology(topology)
            .build()) {
      Set<String> ids = new HashSet<>();
      for (ParkedEvent event : transport.deadLetters(subscription).peek(1_000_000)) {
        ids.add(Objects.requireNonNullElse(event.eventId(), ""));
      }
      return ids;
    }
  }

  private static void deleteTopology(
      Connection admin, String subscription, RabbitTopology topology, String exchange) {
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(subscription);
      channel.queueDelete(topology.deadLetterQueue(subscription));
      for (Duration delay : REDELIVERY_DELAYS) {
        channel.queueDelete(topology.retryQueue(subscription, delay));
      }
      channel.exchangeDelete(exchange);
    } catch (IOException | TimeoutException | RuntimeException e) {
      log.warn("Could not delete the run's queues: {}", e.toString());
    }
  }

  /** Samples the subscription's backlog: its queue and its retry queues. */
  private static final class Backlog {
    private final Connection admin;
    private final String queue;
    private final List<String> retryQueues = new ArrayList<>();
    private final long steady;
    private Channel channel;
    long max;

    Backlog(Connection admin, String queue, RabbitTopology topology, int rate) throws IOException {
      this.admin = admin;
      this.queue = queue;
      REDELIVERY_DELAYS.forEach(delay -> retryQueues.add(topology.retryQueue(queue, delay)));
      this.steady = Math.max(1, rate / 5);
      this.channel = admin.createChannel();
    }

    /** Samples once; true if the backlog is at its steady level and the retry queues are empty. */
    boolean sample() throws IOException {
      long ready = depth(queue);
      long retrying = 0;
      for (String retryQueue : retryQueues) {
        retrying += depth(retryQueue);
      }
      max = Math.max(max, ready + retrying);
      return ready >= 0 && ready <= steady && retrying == 0;
    }

    private long depth(String name) throws IOException {
      try {
        if (!channel.isOpen()) {
          channel = admin.createChannel();
        }
        return channel.messageCount(name);
      } catch (IOException e) {
        return 0; // not declared yet; the channel closed and is opened again next time
      }
    }
  }
}
