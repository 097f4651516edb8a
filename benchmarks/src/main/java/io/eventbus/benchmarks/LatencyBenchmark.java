package io.eventbus.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.eventbus.EventBus;
import io.eventbus.EventHandler;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.codec.JacksonEventCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end latency under a fixed publishing rate: from the moment an event is due to be published
 * to the moment its handler is entered, in one JVM, for eventbus (one bus publishing and consuming)
 * and for the raw amqp-client (a confirming publisher and a consumer with manual acks on a
 * connection of its own), one after the other at each rate.
 *
 * <p>Latency is recorded from the event's <em>intended</em> send time on the fixed schedule, not
 * from when the sender got round to it, so a stall of the sender or of anything behind it counts
 * against every event it delays (coordinated-omission-aware). The uncorrected figure (from the
 * actual send) is kept too. A warm-up of a few seconds at the same rate is discarded.
 *
 * <pre>
 * benchmarks/bench.sh LatencyBenchmark --rates 1000,5000 --seconds 20
 * </pre>
 */
public final class LatencyBenchmark {
  private static final int WINDOW = 4_096;

  private final BenchBroker broker;
  private final int prefetch;
  private final JacksonEventCodec codec = JacksonEventCodec.create();

  LatencyBenchmark(BenchBroker broker, int prefetch) {
    this.broker = broker;
    this.prefetch = prefetch;
  }

  /** One client at one rate: totals over the measured time and one point per second. */
  record Result(
      String client,
      int rate,
      int seconds,
      long sent,
      long received,
      long failed,
      Histogram corrected,
      Histogram uncorrected,
      List<Point> series) {

    double micros(double percentile) {
      return corrected.getValueAtPercentile(percentile);
    }
  }

  /** Latency percentiles (µs, from the intended time) of the deliveries in one second. */
  record Point(double second, long p50Micros, long p99Micros, long maxMicros, long count) {}

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    int seconds = options.number("--seconds", 20);
    int warmup = options.number("--warmup", 5);
    int prefetch = options.number("--prefetch", 250);
    List<Integer> rates =
        List.of(options.text("--rates", "1000,5000").split(",")).stream()
            .map(Integer::parseInt)
            .toList();
    try (BenchBroker broker = BenchBroker.open(uri)) {
      List<Result> results = new LatencyBenchmark(broker, prefetch).run(rates, seconds, warmup);
      System.out.println();
      System.out.print(table(results));
    }
  }

  /** Each rate: the raw client, then eventbus (then the other order at the next rate). */
  List<Result> run(List<Integer> rates, int seconds, int warmup) throws Exception {
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < rates.size(); i++) {
      List<String> clients =
          i % 2 == 0 ? List.of(Tables.RAW, "eventbus") : List.of("eventbus", Tables.RAW);
      for (String client : clients) {
        Result result =
            client.equals(Tables.RAW)
                ? raw(rates.get(i), seconds, warmup)
                : eventbus(rates.get(i), seconds, warmup);
        System.out.printf(
            Locale.ROOT,
            "  latency %s at %,d/s: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms (%,d sent, %,d failed)%n",
            client,
            result.rate(),
            result.micros(50) / 1000,
            result.micros(99) / 1000,
            result.micros(99.9) / 1000,
            result.sent(),
            result.failed());
        results.add(result);
      }
    }
    return results;
  }

  /** The recorders shared by a run's consumer and its once-a-second sampler. */
  private static final class Recording {
    final Recorder corrected = new Recorder(3);
    final Recorder uncorrected = new Recorder(3);
    final Histogram totalCorrected = new Histogram(3);
    final Histogram totalUncorrected = new Histogram(3);
    final List<Point> series = new ArrayList<>();
    final AtomicLong received = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private long measuredFrom;

    void record(BenchTimedEvent event) {
      long now = System.nanoTime();
      corrected.recordValue(Math.max(0, now - event.intendedNanos()) / 1_000);
      uncorrected.recordValue(Math.max(0, now - event.sentNanos()) / 1_000);
      received.incrementAndGet();
    }

    /** Drops what was recorded so far (the warm-up) and starts the measured time. */
    synchronized void reset() {
      corrected.getIntervalHistogram();
      uncorrected.getIntervalHistogram();
      measuredFrom = System.nanoTime();
    }

    synchronized void sample() {
      Histogram interval = corrected.getIntervalHistogram();
      totalCorrected.add(interval);
      totalUncorrected.add(uncorrected.getIntervalHistogram());
      double second = (System.nanoTime() - measuredFrom) / 1e9;
      if (interval.getTotalCount() == 0
          || (!series.isEmpty() && second - series.get(series.size() - 1).second() < 0.5)) {
        return;
      }
      series.add(
          new Point(
              second,
              interval.getValueAtPercentile(50),
              interval.getValueAtPercentile(99),
              interval.getMaxValue(),
              interval.getTotalCount()));
    }

    /**
     * Runs {@code sender} at {@code rate} for the warm-up plus the measured seconds, sampling once
     * a second, then waits for every sent event to arrive.
     */
    long drive(int rate, int seconds, int warmup, FixedRate.Sender sender) throws Exception {
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      try {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long measured = start + TimeUnit.SECONDS.toNanos(warmup);
        long delay = measured - System.nanoTime();
        sampler.schedule(this::reset, delay, TimeUnit.NANOSECONDS);
        sampler.scheduleAtFixedRate(
            this::sample,
            delay + TimeUnit.SECONDS.toNanos(1),
            1_000_000_000L,
            TimeUnit.NANOSECONDS);
        long sent =
            FixedRate.run(start, measured + TimeUnit.SECONDS.toNanos(seconds), rate, sender);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.get() + failed.get() < sent && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        sampler.shutdown();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        sample();
        return sent;
      } finally {
        sampler.shutdownNow();
      }
    }

    Result result(String client, int rate, int seconds, long sent) {
      return new Result(
          client,
          rate,
          seconds,
          sent,
          received.get(),
          failed.get() + Math.max(0, sent - received.get() - failed.get()),
          totalCorrected,
          totalUncorrected,
          List.copyOf(series));
    }
  }

  private Result eventbus(int rate, int seconds, int warmup) throws Exception {
    String queue = BenchBroker.uniqueName("latency", "quorum");
    Recording recording = new Recording();
    try (EventBus bus =
        EventBus.builder()
            .transport(broker.transport("bench-eventbus", "quorum"))
            .source("/bench")
            .subscribe(
                SubscriptionOptions.builder(queue).prefetch(prefetch).build(),
                Handlers.scan(new TimedHandler(recording)))
            .build()) {
      long sent =
          recording.drive(
              rate,
              seconds,
              warmup,
              (i, intended) ->
                  bus.publish(BenchTimedEvent.number(i, intended, System.nanoTime()))
                      .whenComplete(
                          (receipt, failure) -> {
                            if (failure != null) {
                              recording.failed.incrementAndGet();
                            }
                          }));
      return recording.result("eventbus", rate, seconds, sent);
    } finally {
      broker.delete(BenchBroker.subscriptionQueues(queue));
    }
  }

  private Result raw(int rate, int seconds, int warmup) throws Exception {
    String queue = BenchBroker.uniqueName("latency", "quorum");
    broker.declarePlainQueue(queue, "quorum", BenchTimedEvent.TYPE);
    Recording recording = new Recording();
    AMQP.BasicProperties properties = PublishBenchmark.properties();
    try (Connection publishing = broker.factory().newConnection("bench-raw-publish");
        Connection consuming = broker.factory().newConnection("bench-raw-consume")) {
      Channel consumer = consuming.createChannel();
      consumer.basicQos(prefetch);
      consumer.basicConsume(
          queue,
          false,
          new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties ignored, byte[] body)
                throws IOException {
              try {
                recording.record(codec.decode(body, BenchTimedEvent.class));
              } catch (Exception e) {
                recording.failed.incrementAndGet();
              }
              getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
          });
      Channel publisher = publishing.createChannel();
      Outstanding outstanding =
          new Outstanding(
              publisher,
              WINDOW,
              (count, nacked) -> {
                if (nacked) {
                  recording.failed.addAndGet(count);
                }
              });
      long sent =
          recording.drive(
              rate,
              seconds,
              warmup,
              (i, intended) -> {
                outstanding.beforePublish(publisher);
                byte[] body = codec.encode(BenchTimedEvent.number(i, intended, System.nanoTime()));
                publisher.basicPublish(
                    BenchBroker.EXCHANGE, BenchTimedEvent.TYPE, true, properties, body);
              });
      return recording.result(Tables.RAW, rate, seconds, sent);
    } finally {
      broker.delete(List.of(queue));
    }
  }

  /** Records each event's latency on handler entry. */
  static final class TimedHandler {
    private final Recording recording;

    private TimedHandler(Recording recording) {
      this.recording = recording;
    }

    @EventHandler
    void on(BenchTimedEvent event) {
      recording.record(event);
    }
  }

  /** The latency table: one row per rate and client. */
  static String table(List<Result> results) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| rate/s | client | p50 | p95 | p99 | p99 / raw client's | p99.9 | max | p99 uncorrected"
            + " | sent | failed |\n");
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      Result raw =
          results.stream()
              .filter(o -> o.rate() == r.rate() && o.client().equals(Tables.RAW))
              .findFirst()
              .orElse(null);
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %,d | %,d |%n",
              r.rate(),
              r.client(),
              ms(r.micros(50)),
              ms(r.micros(95)),
              ms(r.micros(99)),
              raw == null ? "–" : String.format(Locale.ROOT, "%.2f", r.micros(99) / raw.micros(99)),
              ms(r.micros(99.9)),
              ms(r.corrected().getMaxValue()),
              ms(r.uncorrected().getValueAtPercentile(99)),
              r.sent(),
              r.failed()));
    }
    return out.toString();
  }

  static String ms(double micros) {
    return String.format(Locale.ROOT, micros < 10_000 ? "%.2f ms" : "%,.0f ms", micros / 1000);
  }
}
