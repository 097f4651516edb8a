package io.eventbus.benchmarks;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of tracing and metrics on the publish path: the same eventbus publishes, in the same
 * JVM, alternating, three ways, and each one's throughput and CPU time as a ratio to the first.
 *
 * <ul>
 *   <li>{@code none}: {@link OpenTelemetry#noop()}, which the bus recognises and so adds no
 *       instrumentation at all: the code path of a bus without tracing or metrics;
 *   <li>{@code noop-api}: the API's no-op tracer, meter and propagator behind wrappers the bus does
 *       not recognise, so every span and metric call is made and does nothing;
 *   <li>{@code sdk}: the SDK recording everything (always-on sampling, W3C propagation, a batch
 *       span processor and a periodic metric reader) and exporting nowhere.
 * </ul>
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests exec:java \
 *     -Dexec.mainClass=io.eventbus.benchmarks.TelemetryOverheadBenchmark \
 *     -Dexec.args="--events 100000 --rounds 3"
 * </pre>
 */
public final class TelemetryOverheadBenchmark {
  private static final List<String> MODES = List.of("none", "noop-api", "sdk");

  /** Runs the publishes: the same queue set-up, window and measurement as the publish benchmark. */
  private final PublishBenchmark publish;

  private TelemetryOverheadBenchmark(String uri, int window) throws Exception {
    this.publish = new PublishBenchmark(uri, window);
  }

  public static void main(String[] args) throws Exception {
    PublishBenchmark.Options options = new PublishBenchmark.Options(args);
    try (BenchBroker broker = BenchBroker.open(options.text("--uri", BenchBroker.PRIVATE))) {
      run(options, broker.uri());
    }
  }

  private static void run(PublishBenchmark.Options options, String uri) throws Exception {
    int events = options.number("--events", 100_000);
    int rounds = options.number("--rounds", 3);
    int window = options.number("--window", 4_096);
    TelemetryOverheadBenchmark benchmark = new TelemetryOverheadBenchmark(uri, window);
    System.out.printf(
        "Telemetry overhead on publish: %,d events per run to a classic queue, window %,d,"
            + " %d rounds, %d cores, Java %s%n",
        events,
        window,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    System.out.println("warming up…");
    for (String mode : MODES) {
      benchmark.run(mode, Math.min(events, 20_000));
    }
    Map<String, List<Measurement.Result>> results = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      List<String> order = new ArrayList<>(MODES);
      if (round % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (String mode : order) {
        results.computeIfAbsent(mode, m -> new ArrayList<>()).add(benchmark.run(mode, events));
      }
    }
    print(results);
  }

  private Measurement.Result run(String mode, int events) throws Exception {
    OpenTelemetrySdk sdk = mode.equals("sdk") ? sdk() : null;
    OpenTelemetry openTelemetry =
        switch (mode) {
          case "none" -> OpenTelemetry.noop();
          case "noop-api" -> unrecognisedNoop();
          default -> sdk;
        };
    try {
      return publish.eventbus(
          "classic", events, mode, builder -> builder.openTelemetry(openTelemetry));
    } finally {
      if (sdk != null) {
        sdk.close();
      }
    }
  }

  /** The SDK recording every span and metric, exporting nowhere. */
  private static OpenTelemetrySdk sdk() {
    SpanExporter spans =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> batch) {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    MetricExporter metrics =
        new MetricExporter() {
          @Override
          public CompletableResultCode export(Collection<MetricData> batch) {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
          }
        };
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(spans).build())
                .build())
        .setMeterProvider(
            SdkMeterProvider.builder()
                .registerMetricReader(
                    PeriodicMetricReader.builder(metrics)
                        .setInterval(Duration.ofSeconds(10))
                        .build())
                .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  /**
   * The API's no-ops behind providers that are not the no-op singletons, so the bus instruments as
   * if an SDK were there; the propagator is W3C, so headers are written as with an SDK.
   */
  private static OpenTelemetry unrecognisedNoop() {
    TracerProvider tracers =
        new TracerProvider() {
          @Override
          public io.opentelemetry.api.trace.Tracer get(String name) {
            return TracerProvider.noop().get(name);
          }

          @Override
          public io.opentelemetry.api.trace.Tracer get(String name, String version) {
            return TracerProvider.noop().get(name, version);
          }
        };
    MeterProvider meters =
        new MeterProvider() {
          @Override
          public io.opentelemetry.api.metrics.MeterBuilder meterBuilder(String name) {
            return MeterProvider.noop().meterBuilder(name);
          }
        };
    ContextPropagators propagators =
        ContextPropagators.create(W3CTraceContextPropagator.getInstance());
    return new OpenTelemetry() {
      @Override
      public TracerProvider getTracerProvider() {
        return tracers;
      }

      @Override
      public MeterProvider getMeterProvider() {
        return meters;
      }

      @Override
      public ContextPropagators getPropagators() {
        return propagators;
      }
    };
  }

  private static void print(Map<String, List<Measurement.Result>> results) {
    Measurement.Result none = Tables.median(results.get("none"));
    System.out.println();
    System.out.println(
        "| instrumentation | events/s (median) | throughput ratio | CPU µs/event | CPU ratio |"
            + " confirm p50 | confirm p99 | runs (events/s) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---|");
    results.forEach(
        (mode, runs) -> {
          Measurement.Result median = Tables.median(runs);
          System.out.printf(
              Locale.ROOT,
              "| %s | %,.0f | %.3f | %.1f | %.3f | %,d µs | %,d µs | %s |%n",
              mode,
              median.eventsPerSecond(),
              median.eventsPerSecond() / none.eventsPerSecond(),
              median.cpuMicrosPerEvent(),
              median.cpuMicrosPerEvent() / none.cpuMicrosPerEvent(),
              median.p50Micros(),
              median.p99Micros(),
              String.join(
                  ", ",
                  runs.stream()
                      .map(r -> String.format(Locale.ROOT, "%,.0f", r.eventsPerSecond()))
                      .toList()));
        });
  }
}
