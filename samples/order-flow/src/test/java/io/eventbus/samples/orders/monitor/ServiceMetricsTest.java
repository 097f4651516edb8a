package io.eventbus.samples.orders.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventMetadata;
import io.eventbus.codec.WireMessage;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware;
import io.eventbus.spi.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
  private static final Instant PUBLISHED = Instant.parse("2026-11-25T10:15:30Z");
  private final ServiceMetrics metrics =
      new ServiceMetrics("shipping", Clock.fixed(PUBLISHED.plusMillis(250), ZoneOffset.UTC));

  @Test
  void recordsTheLatencyFromPublishToHandledAndCountsRetries() throws Exception {
    Middleware perAttempt = metrics.perAttempt();
    perAttempt.handle(delivery(Map.of()), delivery -> {});
    perAttempt.handle(delivery(Map.of()).withAttempt(2), delivery -> {});

    ServiceMetrics.Snapshot figures = metrics.snapshot();
    assertThat(figures.completed()).isEqualTo(2);
    assertThat(figures.retries()).isEqualTo(1);
    assertThat(figures.p50Millis()).isBetween(249.0, 251.0);
    assertThat(figures.p99Millis()).isBetween(249.0, 251.0);
  }

  @Test
  void countsAFailedAttemptAndRethrowsIt() {
    Middleware perAttempt = metrics.perAttempt();

    assertThatThrownBy(
            () ->
                perAttempt.handle(
                    delivery(Map.of()),
                    delivery -> {
                      throw new IllegalStateException("down");
                    }))
        .hasMessage("down");
    assertThat(metrics.snapshot().failures()).isEqualTo(1);
    assertThat(metrics.snapshot().completed()).isZero();
  }

  @Test
  void countsDeliveriesThatCameBackFromADelayedRedelivery() throws Exception {
    Middleware perDelivery = metrics.perDelivery();
    perDelivery.handle(delivery(Map.of(DeadLetterReason.HEADER_REDELIVERIES, "1")), d -> {});
    perDelivery.handle(delivery(Map.of()), d -> {});

    assertThat(metrics.snapshot().redelivered()).isEqualTo(1);
  }

  @Test
  void dashboardShowsRatesSinceTheLastRefreshAndDashesForWhatDoesNotApply() {
    Dashboard dashboard = new Dashboard();
    ServiceMetrics order = new ServiceMetrics("order", Clock.systemUTC());
    dashboard.render("t", List.of(line(order)), 0);
    order.recordSent(Duration.ofMillis(3));
    order.recordSent(Duration.ofMillis(5));

    List<String> lines = dashboard.render("title", List.of(line(order)), 2_000_000_000L);

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("title");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly(
            "service", "ev/s", "total", "p50", "ms", "p99", "ms", "retries", "dead", "backlog",
            "circuit");
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly("order", "1.0", "2", "3.0", "5.0", "0", "-", "-", "-");
  }

  private static Dashboard.Line line(ServiceMetrics measured) {
    return new Dashboard.Line(measured.snapshot(), "-", OptionalLong.empty(), OptionalLong.empty());
  }

  private static DeliveryContext delivery(Map<String, String> headers) {
    WireMessage message =
        new WireMessage("{}".getBytes(StandardCharsets.UTF_8), "application/json", headers);
    return DeliveryContext.received("shipping", message, false, 1)
        .withEvent(EventMetadata.of("e-1", "order.placed.v1", "/orders", PUBLISHED), new Object());
  }
}
