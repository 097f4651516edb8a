package io.eventbus.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A steady publishing rate through one eventbus (publishing and consuming) for a long time,
 * sampling every few seconds the heap in use after the last garbage collection, the process's
 * resident set size ({@code VmRSS} of {@code /proc/self/status}), the subscription's backlog (ready
 * messages, by a passive declare on a separate admin connection) and the interval's p99 latency. It
 * reports whether heap and RSS stay flat (least-squares slope over the last half) and whether the
 * backlog stays below 100.
 *
 * <pre>
 * benchmarks/bench.sh SoakBenchmark --minutes 30 --rate 1000
 * benchmarks/bench.sh SoakBenchmark --seconds 60          # a quick check
 * </pre>
 */
public final class SoakBenchmark {
  static final int BACKLOG_LIMIT = 100;

  private final BenchBroker broker;
  private final int prefetch;

  SoakBenchmark(BenchBroker broker, int prefetch) {
    this.broker = broker;
    this.prefetch = prefetch;
  }

  /** One sample; memory in MiB, latency in ms. */
  record Sample(
      double second,
      double heapAfterGcMiB,
      double heapUsedMiB,
      double rssMiB,
      long backlog,
      double p99Millis,
      long received) {}

  /** The whole soak: samples, slopes over the last half (MiB per minute) and the verdicts. */
  record Result(
      int rate,
      int seconds,
      long sent,
      long received,
      long failed,
      List<Sample> samples,
      double heapSlopeMiBPerMinute,
      double rssSlopeMiBPerMinute,
      boolean heapFlat,
      boolean rssFlat,
      long maxBacklog,
      Histogram latency) {

    boolean backlogBounded() {
      return maxBacklog < BACKLOG_LIMIT;
    }
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    int seconds = options.number("--seconds", options.number("--minutes", 30) * 60);
    int rate = options.number("--rate", 1_000);
    int every = options.number("--sample-seconds", 5);
    int prefetch = options.number("--prefetch", 250);
    try (BenchBroker broker = BenchBroker.open(uri)) {
      Result result = new SoakBenchmark(broker, prefetch).run(rate, seconds, every);
      System.out.println();
      System.out.print(summary(result));
    }
  }

  Result run(int rate, int seconds, int sampleSeconds) throws Exception {
    String queue = BenchBroker.uniqueName("soak", "quorum");
    Recorder latency = new Recorder(3);
    Histogram total = new Histogram(3);
    AtomicLong received = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Sample> samples = new ArrayList<>();
    HeapAfterGc heapAfterGc = new HeapAfterGc();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    long sent;
    try (EventBus bus =
        EventBus.builder()
            .transport(broker.transport("bench-soak", "quorum"))
            .source("/bench")
            .subscribe(
                SubscriptionOptions.builder(queue).prefetch(prefetch).build(),
                Handlers.scan(new Handler(latency, received)))
            .build()) {
      long start = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "soak: %,d events/s for %d s, a sample every %d s%n",
          rate,
          seconds,
          sampleSeconds);
      sampler.scheduleAtFixedRate(
          () -> {
            Histogram interval = latency.getIntervalHistogram();
            total.add(interval);
            Sample sample =
                new Sample(
                    (System.nanoTime() - start) / 1e9,
                    heapAfterGc.mebibytes(),
                    heapUsedMiB(),
                    rssMiB(),
                    broker.ready(queue),
                    interval.getValueAtPercentile(99) / 1000.0,
                    received.get());
            samples.add(sample);
            System.out.printf(
                Locale.ROOT,
                "  %5.0f s: heap after GC %.1f MiB, RSS %.1f MiB, backlog %d, p99 %.1f ms%n",
                sample.second(),
                sample.heapAfterGcMiB(),
                sample.rssMiB(),
                sample.backlog(),
                sample.p99Millis());
          },
          sampleSeconds,
          sampleSeconds,
          TimeUnit.SECONDS);
      sent =
          FixedRate.run(
              start,
              start + TimeUnit.SECONDS.toNanos(seconds),
              rate,
              (i, intended) ->
                  bus.publish(BenchTimedEvent.number(i, intended, System.nanoTime()))
                      .whenComplete(
                          (receipt, failure) -> {
                            if (failure != null) {
                              failed.incrementAndGet();
                            }
                          }));
      sampler.shutdown();
      sampler.awaitTermination(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.get() + failed.get() < sent && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      sampler.shutdownNow();
      heapAfterGc.close();
      broker.delete(BenchBroker.subscriptionQueues(queue));
    }
    List<Sample> lastHalf = samples.subList(samples.size() / 2, samples.size());
    double heapSlope = slopePerMinute(lastHalf, Sample::heapAfterGcMiB);
    double rssSlope = slopePerMinute(lastHalf, Sample::rssMiB);
    return new Result(
        rate,
        seconds,
        sent,
        received.get(),
        failed.get(),
        List.copyOf(samples),
        heapSlope,
        rssSlope,
        flat(lastHalf, Sample::heapAfterGcMiB, heapSlope),
        flat(lastHalf, Sample::rssMiB, rssSlope),
        samples.stream().mapToLong(Sample::backlog).max().orElse(0),
        total);
  }

  private static double slopePerMinute(
      List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
    double[] x = samples.stream().mapToDouble(s -> s.second() / 60).toArray();
    double[] y = samples.stream().mapToDouble(value).toArray();
    return Stats.slope(x, y);
  }

  /**
   * Flat: the fitted growth across the last half is under 5% of that half's mean, or under 8 MiB
   * (below which GC timing alone moves the figures).
   */
  static boolean flat(
      List<Sample> lastHalf,
      java.util.function.ToDoubleFunction<Sample> value,
      double slopePerMinute) {
    if (lastHalf.size() < 2) {
      return false;
    }
    double minutes = (lastHalf.get(lastHalf.size() - 1).second() - lastHalf.get(0).second()) / 60;
    double growth = slopePerMinute * minutes;
    double mean = lastHalf.stream().mapToDouble(value).average().orElse(0);
    return growth < Math.max(8, 0.05 * mean);
  }

  static String summary(Result r) {
    return String.format(
        Locale.ROOT,
        "| rate | duration | sent | received | failed | heap after GC, last half | RSS, last half |"
            + " max backlog | p99 latency |%n"
            + "|---:|---:|---:|---:|---:|---|---|---:|---:|%n"
            + "| %,d/s | %d s | %,d | %,d | %,d | %+.2f MiB/min (%s) | %+.2f MiB/min (%s) | %d (%s) |"
            + " %s |%n",
        r.rate(),
        r.seconds(),
        r.sent(),
        r.received(),
        r.failed(),
        r.heapSlopeMiBPerMinute(),
        r.heapFlat() ? "flat" : "growing",
        r.rssSlopeMiBPerMinute(),
        r.rssFlat() ? "flat" : "growing",
        r.maxBacklog(),
        r.backlogBounded() ? "below " + BACKLOG_LIMIT : "not below " + BACKLOG_LIMIT,
        LatencyBenchmark.ms(r.latency().getValueAtPercentile(99)));
  }

  private static double heapUsedMiB() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
  }

  /** {@code VmRSS} of {@code /proc/self/status} in MiB, or NaN where there is no such file. */
  static double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: no RSS figure.
    }
    return Double.NaN;
  }

  /** The heap in use right after the latest collection, from the collectors' notifications. */
  private static final class HeapAfterGc implements AutoCloseable {
    private final Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private volatile double mebibytes = heapUsedMiB();
    private final NotificationListener listener =
        (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType())) {
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> pool :
                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
              if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
              }
            }
            mebibytes = used / 1048576.0;
          }
        };

    HeapAfterGc() {
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (collector instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(listener, null, null);
          emitters.add(emitter);
        }
      }
    }

    double mebibytes() {
      return mebibytes;
    }

    @Override
    public void close() {
      for (NotificationEmitter emitter : emitters) {
        try {
          emitter.removeNotificationListener(listener);
        } catch (Exception e) {
          // Already removed.
        }
      }
    }
  }

  /** Records latency from the intended send time and counts. */
  static final class Handler {
    private final Recorder latency;
    private final AtomicLong received;

    Handler(Recorder latency, AtomicLong received) {
      this.latency = latency;
      this.received = received;
    }

    @EventHandler
    void on(BenchTimedEvent event) {
      latency.recordValue(Math.max(0, System.nanoTime() - event.intendedNanos()) / 1_000);
      received.incrementAndGet();
    }
  }
}
