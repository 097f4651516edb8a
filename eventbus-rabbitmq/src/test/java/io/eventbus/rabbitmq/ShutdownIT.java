package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing a bus with handlers in flight loses nothing. */
@EventBusTest(transport = TransportKind.BROKER)
class ShutdownIT {
  private static final int EVENTS = 200;
  private static final int IN_FLIGHT = 50;

  @Test
  void shutdownWithFiftyHandlersInFlightLeavesEveryEventHandledOrBackInTheQueue(
      EventBusFixture fixture) throws Exception {
    String subscription = "shutdown";
    String queue = fixture.queueName(subscription);
    CountDownLatch fiftyStarted = new CountDownLatch(IN_FLIGHT);
    CountDownLatch releaseQuick = new CountDownLatch(1);
    CountDownLatch releaseSlow = new CountDownLatch(1);
    Set<String> started = ConcurrentHashMap.newKeySet();
    Set<String> finishedInTime = ConcurrentHashMap.newKeySet();
    Set<String> finishedLate = ConcurrentHashMap.newKeySet();
    EventBus bus =
        EventBus.builder()
            .transport(
                fixture.transport(
                    Fixtures.rabbit(fixture).shutdownTimeout(Duration.ofSeconds(1)).build()))
            .subscribe(
                SubscriptionOptions.builder(subscription)
                    .concurrency(IN_FLIGHT)
                    .prefetch(5)
                    .build(),
                Handlers.builder()
                    .on(
                        PaymentCompleted.class,
                        (event, context) -> {
                          String id = context.metadata().id();
                          started.add(id);
                          fiftyStarted.countDown();
                          // Half finish during the shutdown timeout, half only after it.
                          if (event.amountCents() % 2 == 0) {
                            releaseQuick.await(30, TimeUnit.SECONDS);
                            finishedInTime.add(id);
                          } else {
                            releaseSlow.await(30, TimeUnit.SECONDS);
                            finishedLate.add(id);
                          }
                        })
                    .build())
            .build();
    Set<String> published = new HashSet<>();
    List<CompletableFuture<PublishReceipt>> receipts = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      receipts.add(bus.publish(new PaymentCompleted("o-" + i, i)).toCompletableFuture());
    }
    for (CompletableFuture<PublishReceipt> receipt : receipts) {
      published.add(receipt.get(30, TimeUnit.SECONDS).eventId());
    }
    assertThat(fiftyStarted.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(bus::close);
    releaseQuick.countDown();
    closing.get(30, TimeUnit.SECONDS);
    releaseSlow.countDown();

    // A quorum queue takes returned messages back asynchronously: read until all are accounted.
    Set<String> handledAndAcked = new HashSet<>(finishedInTime);
    Set<String> inQueue = new HashSet<>();
    Set<String> accounted = new HashSet<>(handledAndAcked);
    try (RawAmqp raw = RawAmqp.open(fixture)) {
      Await.until(
          Duration.ofSeconds(10),
          () -> {
            for (GetResponse message : raw.drain(queue)) {
              inQueue.add(message.getProps().getMessageId());
            }
            accounted.addAll(inQueue);
            return accounted.containsAll(published);
          },
          "every published event handled or back in the queue");
      assertThat(raw.messageCount(queue + ".dlq")).isZero();
    }
    Set<String> missing = new HashSet<>(published);
    missing.removeAll(accounted);
    assertThat(missing).as("lost events").isEmpty();
    assertThat(started).hasSizeGreaterThanOrEqualTo(IN_FLIGHT);
    assertThat(accounted).as("every event handled or back in the queue").isEqualTo(published);
    assertThat(inQueue)
        .as("handled in time, so acked and not requeued")
        .doesNotContainAnyElementsOf(handledAndAcked);
    Set<String> unfinishedAtClose = new HashSet<>(started);
    unfinishedAtClose.removeAll(finishedInTime);
    assertThat(inQueue).as("requeued though still running").containsAll(unfinishedAtClose);
    assertThat(inQueue.size() + handledAndAcked.size()).isEqualTo(EVENTS);
  }
}
