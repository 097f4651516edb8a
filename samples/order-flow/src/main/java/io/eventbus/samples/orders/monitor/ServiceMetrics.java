package io.eventbus.samples.orders.monitor;

import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.spi.DeadLetterReason;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one service did: events handled (or, for a publisher, sent), latencies, retries. Fed by two
 * middleware links of the service's subscription, so handlers stay free of measuring code.
 *
 * <pre>{@code
 * SubscriptionOptions.builder("shipping")
 *     .addBefore(Stage.RETRY, metrics.perDelivery())   // once per delivery
 *     .middleware(metrics.perAttempt())                 // once per attempt, around the handler
 *     .build();
 * }</pre>
 *
 * <p>Latency is measured from the event's publish time (its CloudEvents {@code time}) to the end of
 * the successful attempt: queueing, retries and redelivery delays included, which is what a
 * customer waits for. Thread-safe.
 */
public final class ServiceMetrics {
  private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

  private final String service;
  private final Clock clock;
  private final Recorder latencies = new Recorder(MAX_MICROS, 3);
  private final Histogram allLatencies = new Histogram(MAX_MICROS, 3);
  private final LongAdder completed = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder redelivered = new LongAdder();
  private final LongAdder failures = new LongAdder();

  public ServiceMetrics(String service, Clock clock) {
    this.service = Objects.requireNonNull(service, "service");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The service's name, as shown in the live view. */
  public String service() {
    return service;
  }

  /**
   * A link for just before the handler: it runs once per attempt, counts every attempt after the
   * first as a retry, and records the latency of the attempt that succeeds.
   */
  public Middleware perAttempt() {
    return new Middleware() {
      @Override
      public void handle(DeliveryContext delivery, Chain chain) throws Exception {
        if (delivery.attempt() > 1) {
          retries.increment();
        }
        try {
          chain.proceed(delivery);
        } catch (Exception e) {
          failures.increment();
          throw e;
        }
        record(Duration.between(delivery.metadata().time(), clock.instant()));
      }

      @Override
      public String toString() {
        return service + "-metrics-per-attempt";
      }
    };
  }

  /**
   * A link for before the {@code RETRY} stage: it runs once per delivery and counts those that came
   * back from a delayed redelivery (they carry its header).
   */
  public Middleware perDelivery() {
    return new Middleware() {
      @Override
      public void handle(DeliveryContext delivery, Chain chain) throws Exception {
        if (delivery.message().headers().containsKey(DeadLetterReason.HEADER_REDELIVERIES)) {
          redelivered.increment();
        }
        chain.proceed(delivery);
      }

      @Override
      public String toString() {
        return service + "-metrics-per-delivery";
      }
    };
  }

  /**
   * For a publisher: one event sent {@code latency} after the call (confirmed by the broker, or
   * committed to the outbox).
   */
  public void recordSent(Duration latency) {
    record(latency);
  }

  /** For a publisher: one event that could not be sent. */
  public void recordFailure() {
    failures.increment();
  }

  private void record(Duration latency) {
    long micros = Math.min(MAX_MICROS, Math.max(0, latency.toNanos() / 1000));
    latencies.recordValue(micros);
    completed.increment();
  }

  /** The figures so far. */
  public synchronized Snapshot snapshot() {
    allLatencies.add(latencies.getIntervalHistogram());
    return new Snapshot(
        service,
        completed.sum(),
        retries.sum(),
        redelivered.sum(),
        failures.sum(),
        millis(allLatencies.getValueAtPercentile(50)),
        millis(allLatencies.getValueAtPercentile(99)),
        millis(allLatencies.getMaxValue()));
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }

  /**
   * One service's figures since the start.
   *
   * @param service the service's name
   * @param completed events handled, or for a publisher, sent (confirmed, or stored in the outbox)
   * @param retries attempts after the first, in process or after a redelivery
   * @param redelivered deliveries that came back from a delayed redelivery
   * @param failures failed attempts (handlers) or failed publishes (publishers)
   * @param p50Millis the median latency
   * @param p99Millis the 99th percentile latency
   * @param maxMillis the longest latency
   */
  public record Snapshot(
      String service,
      long completed,
      long retries,
      long redelivered,
      long failures,
      double p50Millis,
      double p99Millis,
      double maxMillis) {}
}
