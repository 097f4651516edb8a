package io.eventbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.RetryPolicy;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.spi.UnroutableEvents;
import io.eventbus.testkit.TestEvents.OrderPlaced;
import io.eventbus.testkit.TestEvents.PaymentCompleted;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What InMemoryTransport offers beyond the conformance suite. */
class InMemoryTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void unroutableSendsAreCountedByTypeInTheMetricAndTheHealthDetails() {
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    InMemoryTransport transport = InMemoryTransport.create();
    try (OpenTelemetrySdk sdk =
            OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        EventBus bus =
            EventBus.builder()
                .transport(transport)
                .openTelemetry(sdk)
                .register(OrderPlaced.class)
                .register(PaymentCompleted.class)
                .build()) {
      bus.publishAndWait(new OrderPlaced("o-1", 1));
      bus.publishAndWait(new OrderPlaced("o-2", 1));
      bus.publishAndWait(new PaymentCompleted("o-1", 5));

      assertThat(transport.unroutable().byType())
          .isEqualTo(Map.of(TestEvents.ORDER_PLACED, 2L, "tk.payment.completed.v1", 1L));
      assertThat(transport.health().component("transport").orElseThrow().details())
          .containsEntry("unroutableAccepted", 3L);
      MetricData counter =
          metrics.collectAllMetrics().stream()
              .filter(m -> m.getName().equals(UnroutableEvents.METRIC))
              .findFirst()
              .orElseThrow();
      assertThat(counter.getLongSumData().getPoints())
          .extracting(
              p -> p.getAttributes().get(AttributeKey.stringKey("cloudevents.event_type")),
              p -> p.getValue())
          .containsExactlyInAnyOrder(
              tuple(TestEvents.ORDER_PLACED, 2L), tuple("tk.payment.completed.v1", 1L));
    }
  }

  @Test
  void awaitIdleReturnsOnceEverythingPublishedWasHandledOrParked() {
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.builder("orders")
                    .retryPolicy(RetryPolicy.none())
                    .redeliveryDelays()
                    .build(),
                Handlers.builder()
                    .on(
                        OrderPlaced.class,
                        (event, context) -> {
                          if (event.items() < 0) {
                            throw new IllegalArgumentException("negative");
                          }
                        })
                    .build())
            .build()) {
      for (int i = -2; i < 8; i++) {
        bus.publishAndWait(new OrderPlaced("o" + i, i));
      }
      transport.awaitIdle(WAIT);

      assertThat(transport.readyCount("orders")).isZero();
      assertThat(transport.deadLetters("orders"))
          .hasSize(2)
          .allSatisfy(d -> assertThat(d.reason()).isEqualTo("handler-failed"));
    }
  }

  @Test
  void awaitIdleNamesTheBusyQueueWhenItTimesOut() throws Exception {
    InMemoryTransport transport = InMemoryTransport.create();
    CountDownLatch release = new CountDownLatch(1);
    try (EventBus bus =
        EventBus.builder()
            .transport(transport)
            .subscribe(
                SubscriptionOptions.named("stuck"),
                Handlers.builder()
                    .on(OrderPlaced.class, (event, context) -> release.await(5, TimeUnit.SECONDS))
                    .build())
            .build()) {
      bus.publishAndWait(new OrderPlaced("o-1", 1));

      assertThatThrownBy(() -> transport.awaitIdle(Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("stuck: 0 ready, 1 in flight");
      release.countDown();
      transport.awaitIdle(WAIT);
    }
  }

  @Test
  void messagesWaitInTheQueueForAPeerAfterTheirConsumerClosed() {
    InMemoryTransport first = InMemoryTransport.create();
    InMemoryTransport second = first.peer();
    EventRecorder recorder = EventRecorder.create();
    EventBus publisher =
        EventBus.builder()
            .transport(first)
            .subscribe(
                SubscriptionOptions.named("orders"),
                Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build())
            .build();
    publisher.close();
    assertThatThrownBy(() -> publisher.publishAndWait(new OrderPlaced("o-0", 0)))
        .hasMessageContaining("closed");

    EventBus other =
        EventBus.builder().transport(recorder.record(second)).register(OrderPlaced.class).build();
    other.publishAndWait(new OrderPlaced("o-1", 1));
    assertThat(second.readyCount("orders")).isEqualTo(1);
    other.subscribe(
        SubscriptionOptions.named("orders"),
        Handlers.builder().on(OrderPlaced.class, (e, c) -> {}).build());

    assertThat(recorder.awaitHandled("orders", OrderPlaced.class, 1, WAIT))
        .containsExactly(new OrderPlaced("o-1", 1));
    other.close();
  }
}
