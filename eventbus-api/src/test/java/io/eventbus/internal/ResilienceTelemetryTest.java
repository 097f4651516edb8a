package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.CircuitBreakerPolicy;
import io.eventbus.internal.Circuit.Permit;
import io.eventbus.internal.CircuitTest.FakeSubscription;
import io.eventbus.spi.TelemetryNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The circuit's and the limits' metrics, with the SDK's in-memory reader. */
class ResilienceTelemetryTest {
  private static final AttributeKey<String> STATE =
      AttributeKey.stringKey("eventbus.circuit.state");

  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
          .build();
  private final ConsumerTelemetry telemetry =
      Telemetry.create(sdk, new TelemetryNames("acme", "bus"))
          .consumer("payments", java.util.Set.of("test.thing.v1"));
  private final ManualScheduler time = new ManualScheduler(Instant.parse("2026-12-01T10:00:00Z"));

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  @Test
  void theCircuitStateGaugeTheDeferredCounterAndTheLimiterWaitAreRecorded() throws Exception {
    SubscriptionControl control = new SubscriptionControl("payments");
    control.attach(new FakeSubscription());
    Circuit circuit =
        new Circuit(
            "payments",
            CircuitBreakerPolicy.builder()
                .slidingWindow(1)
                .minimumCalls(1)
                .openDuration(Duration.ofSeconds(5))
                .build(),
            time,
            time,
            control,
            true,
            telemetry);
    assertThat(states()).containsEntry("closed", 1L).containsEntry("open", 0L);

    Permit permit = circuit.enter();
    circuit.failed(permit, new IllegalStateException("down"), true, 1_000);
    assertThat(circuit.enter()).isEqualTo(Permit.DEFER);
    telemetry.recordLimiterWait(telemetry.names("test.thing.v1"), "rate", 250_000_000L);

    assertThat(states()).containsEntry("open", 1L).containsEntry("closed", 0L);
    MetricData deferred = metric("eventbus.consumer.deferred");
    assertThat(deferred.getLongSumData().getPoints())
        .singleElement()
        .satisfies(
            point -> {
              assertThat(point.getValue()).isEqualTo(1);
              assertThat(
                      point.getAttributes().get(AttributeKey.stringKey("eventbus.deferral.reason")))
                  .isEqualTo("circuit_open");
              assertThat(
                      point
                          .getAttributes()
                          .get(AttributeKey.stringKey("messaging.consumer.group.name")))
                  .isEqualTo("payments");
            });
    assertThat(metric("eventbus.consumer.limiter.wait").getHistogramData().getPoints())
        .singleElement()
        .satisfies(
            point -> {
              assertThat(point.getSum()).isEqualTo(0.25);
              assertThat(point.getAttributes().get(AttributeKey.stringKey("eventbus.limiter")))
                  .isEqualTo("rate");
            });

    circuit.close();
    assertThat(metrics.collectAllMetrics())
        .noneMatch(m -> m.getName().equals("eventbus.consumer.circuit.state"));
  }

  private Map<String, Long> states() {
    return metric("eventbus.consumer.circuit.state").getLongGaugeData().getPoints().stream()
        .collect(
            Collectors.toMap(point -> point.getAttributes().get(STATE), LongPointData::getValue));
  }

  private MetricData metric(String name) {
    return metrics.collectAllMetrics().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("No metric " + name));
  }
}
