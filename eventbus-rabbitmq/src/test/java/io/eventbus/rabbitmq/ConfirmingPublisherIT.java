package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.PublishException;
import io.eventbus.PublishNotConfirmedException;
import io.eventbus.PublishReceipt;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publisher's promises on a healthy broker; faults are in {@link BrokerFaultsIT}. */
@EventBusTest(transport = TransportKind.BROKER)
class ConfirmingPublisherIT {
  private static final String TYPE = "it.payment.completed.v1";
  private EventBusFixture fixture;
  private RawAmqp raw;

  @BeforeEach
  void openRawConnection(EventBusFixture fixture) throws Exception {
    this.fixture = fixture;
    this.raw = RawAmqp.open(fixture);
  }

  @AfterEach
  void closeRawConnection() throws Exception {
    raw.close();
  }

  /** A classic queue bound to the payment type, declared by hand with the given arguments. */
  private String boundQueue(Map<String, Object> arguments) throws Exception {
    return raw.queue(TYPE, arguments);
  }

  /** A queue that holds one message and makes the broker nack every publish beyond it. */
  private String fullQueue() throws Exception {
    return boundQueue(Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
  }

  private RabbitTransport nackRetrying(int retries, Duration backoff) {
    return Fixtures.rabbit(fixture)
        .publisher(PublisherSettings.defaults().withNackRetries(retries).withNackBackoff(backoff))
        .build();
  }

  private EventBus bus(RabbitTransport transport) {
    return EventBus.builder()
        .transport(fixture.transport(transport))
        .register(PaymentCompleted.class)
        .build();
  }

  private EventBus bus(PublisherSettings settings) {
    return bus(Fixtures.rabbit(fixture).publisher(settings).build());
  }

  @Test
  void eventsPublishedFromFourThreadsAreAllConfirmedAndStoredOnce() throws Exception {
    String queue = boundQueue(Map.of("x-queue-type", "quorum"));
    EventBus bus = bus(PublisherSettings.defaults());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    Set<String> confirmed = ConcurrentHashMap.newKeySet();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      workers.add(
          threads.submit(
              () -> {
                List<CompletableFuture<PublishReceipt>> publishes = new ArrayList<>();
                for (int i = 0; i < 2_500; i++) {
                  publishes.add(
                      bus.publish(new PaymentCompleted("o-" + i, i)).toCompletableFuture());
                }
                publishes.forEach(publish -> confirmed.add(publish.join().eventId()));
                return null;
              }));
    }
    for (Future<?> worker : workers) {
      worker.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();

    List<GetResponse> stored = raw.awaitMessages(queue, 10_000, Duration.ofSeconds(60));
    Set<String> storedIds = new HashSet<>();
    stored.forEach(message -> storedIds.add(message.getProps().getMessageId()));
    assertThat(confirmed).hasSize(10_000);
    assertThat(storedIds).isEqualTo(confirmed);
  }

  @Test
  void aBatchCompletesWhenEveryEventIsConfirmed() throws Exception {
    String queue = boundQueue(Map.of());
    EventBus bus = bus(PublisherSettings.defaults());
    List<PaymentCompleted> events = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      events.add(new PaymentCompleted("o-" + i, i));
    }

    List<PublishReceipt> receipts =
        bus.publishAll(events).toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(receipts).hasSize(1_000).extracting(PublishReceipt::eventId).doesNotHaveDuplicates();
    assertThat(raw.awaitMessages(queue, 1_000, Duration.ofSeconds(10)))
        .extracting(message -> message.getProps().getMessageId())
        .containsExactlyElementsOf(receipts.stream().map(PublishReceipt::eventId).toList());
  }

  @Test
  void aNackedEventIsRetriedAndThenFails() throws Exception {
    String queue = fullQueue();
    RabbitTransport transport = nackRetrying(2, Duration.ofMillis(20));
    EventBus bus = bus(transport);
    bus.publishAndWait(new PaymentCompleted("fills-the-queue", 1));

    assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("rejected", 2)))
        .isInstanceOf(PublishNotConfirmedException.class)
        .hasMessageContaining("rejected by the broker (nack)");
    assertThat(transport.status().nackRetries()).isEqualTo(2);
    assertThat(raw.messageCount(queue)).isEqualTo(1);
  }

  @Test
  void aNackedEventSucceedsWhenARetryFindsRoom() throws Exception {
    String queue = fullQueue();
    RabbitTransport transport = nackRetrying(20, Duration.ofMillis(50));
    EventBus bus = bus(transport);
    bus.publishAndWait(new PaymentCompleted("fills-the-queue", 1));

    CompletableFuture<PublishReceipt> second =
        bus.publish(new PaymentCompleted("waits-for-room", 2)).toCompletableFuture();
    Await.until(Duration.ofSeconds(10), () -> transport.status().nackRetries() > 0, "a nack retry");
    assertThat(raw.awaitMessages(queue, 1, Duration.ofSeconds(5))).hasSize(1);

    PublishReceipt receipt = second.get(10, TimeUnit.SECONDS);
    assertThat(raw.awaitMessages(queue, 1, Duration.ofSeconds(5)).get(0).getProps().getMessageId())
        .isEqualTo(receipt.eventId());
  }

  @Test
  void unroutableEventsAreAcceptedAndCountedByTypeByDefault() {
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus = bus(transport);

    String log;
    try (LogCapture capture = LogCapture.start()) {
      bus.publishAndWait(new PaymentCompleted("nobody-listens", 1));
      bus.publishAndWait(new PaymentCompleted("nobody-listens", 2));
      log = capture.text();
    }

    assertThat(log.lines().filter(line -> line.contains("No queue is bound for event type")))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("WARN")
                    .contains("it.payment.completed.v1")
                    .doesNotContain("nobody-listens"));
    assertThat(transport.status().unroutableAccepted()).isEqualTo(2);
    assertThat(transport.status().unroutableByType())
        .isEqualTo(Map.of("it.payment.completed.v1", 2L));
    assertThat(transport.health().component("publisher").orElseThrow().details())
        .containsEntry("unroutableAccepted", 2L)
        .containsEntry("unroutableByType", Map.of("it.payment.completed.v1", 2L));
  }

  @Test
  void inStrictModeUnroutableEventsInABatchFailTheBatchWithEveryFailureAttached() {
    EventBus bus = bus(PublisherSettings.defaults().withFailUnroutable(true));

    assertThatThrownBy(
            () ->
                bus.publishAll(List.of(new PaymentCompleted("a", 1), new PaymentCompleted("b", 2)))
                    .toCompletableFuture()
                    .join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(UnroutableEventException.class)
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
  }

  @Test
  void closingWithPublishesInFlightSettlesEveryFutureAndLosesNoConfirmedEvent() throws Exception {
    String queue = boundQueue(Map.of("x-queue-type", "quorum"));
    EventBus bus = bus(Fixtures.rabbit(fixture).shutdownTimeout(Duration.ofMillis(200)).build());
    List<CompletableFuture<PublishReceipt>> publishes = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      publishes.add(bus.publish(new PaymentCompleted("o-" + i, i)).toCompletableFuture());
    }

    bus.close();

    Set<String> confirmed = new HashSet<>();
    int failed = 0;
    for (CompletableFuture<PublishReceipt> publish : publishes) {
      try {
        confirmed.add(publish.get(5, TimeUnit.SECONDS).eventId());
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(PublishNotConfirmedException.class);
        failed++;
      }
    }
    assertThat(confirmed.size() + failed).isEqualTo(5_000);
    // The queue also holds events the broker stored but whose confirm the close cut off (their
    // futures failed): read until every confirmed id has been seen, whatever else is there.
    assertThat(raw.awaitIds(queue, confirmed, Duration.ofSeconds(10))).containsAll(confirmed);
    assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("late", 1)))
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("closed");
  }
}
