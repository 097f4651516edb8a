package io.eventbus.benchmarks;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds a subscription under load against its limits: a queue filled with more events than it may
 * handle, 8 consumers, a rate limit of {@code --rate} events per second and a concurrency limit of
 * {@code --concurrency-limit}, handlers that work {@code --work-ms} each. Counts the events handled
 * in every second of {@code --seconds} (after a second of warm-up) and the most handlers in flight
 * at once, and prints the achieved rate against the limit.
 *
 * <pre>
 * benchmarks/bench.sh LimitsBenchmark --rate 200 --seconds 30 --concurrency-limit 3
 * </pre>
 */
public final class LimitsBenchmark {
  private LimitsBenchmark() {}

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    String uri = options.text("--uri", BenchBroker.PRIVATE);
    int rate = options.number("--rate", 200);
    int seconds = options.number("--seconds", 30);
    int limit = options.number("--concurrency-limit", 3);
    int workMillis = options.number("--work-ms", 5);
    int events = rate * (seconds + 3) + rate;
    String name = BenchBroker.uniqueName("limits", "quorum");
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    AtomicLong handled = new AtomicLong();
    try (BenchBroker broker = BenchBroker.open(uri)) {
      System.out.printf(
          Locale.ROOT,
          "Limits benchmark: rate limit %d/s, concurrency limit %d of 8 consumers, %d ms of work"
              + " per event, %d s measured, %d cores, Java %s, RabbitMQ %s%n",
          rate,
          limit,
          workMillis,
          seconds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          broker.version());
      try {
        broker.declareSubscription(name, BenchOrderPlaced.class, "quorum");
        broker.fill(
            name,
            ConsumeBenchmark.ROUTING_KEY,
            PublishBenchmark.properties(),
            new PublishBenchmark(uri, 1).body(),
            events);
        List<Long> perSecond = new ArrayList<>();
        try (EventBus bus =
            EventBus.builder()
                .transport(broker.transport("bench-limits", "quorum"))
                .source("/bench")
                .build()) {
          bus.subscribe(
              SubscriptionOptions.builder(name)
                  .concurrency(8)
                  .prefetch(50)
                  .rateLimit(rate, Duration.ofSeconds(1))
                  .concurrencyLimit(limit)
                  .build(),
              Handlers.builder()
                  .on(
                      BenchOrderPlaced.class,
                      (event, context) -> {
                        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(workMillis));
                        inFlight.decrementAndGet();
                        handled.incrementAndGet();
                      })
                  .build());
          TimeUnit.SECONDS.sleep(1);
          long start = System.nanoTime();
          long last = handled.get();
          long first = last;
          for (int i = 1; i <= seconds; i++) {
            long due = start + TimeUnit.SECONDS.toNanos(i);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            long now = handled.get();
            perSecond.add(now - last);
            last = now;
          }
          double elapsed = (System.nanoTime() - start) / 1e9;
          double achieved = (last - first) / elapsed;
          long min = perSecond.stream().mapToLong(Long::longValue).min().orElse(0);
          long max = perSecond.stream().mapToLong(Long::longValue).max().orElse(0);
          System.out.printf(
              Locale.ROOT,
              "handled %,d events in %.1f s: %.1f/s against a limit of %d/s (%+.1f %%); per second"
                  + " min %d, max %d; at most %d handlers in flight (limit %d)%n",
              last - first,
              elapsed,
              achieved,
              rate,
              (achieved - rate) * 100.0 / rate,
              min,
              max,
              mostInFlight.get(),
              limit);
          System.out.println("per second: " + perSecond);
        }
      } finally {
        broker.delete(BenchBroker.subscriptionQueues(name));
        broker.deleteExchangeIfUnused();
      }
    }
  }
}
