package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Closing a bus with handlers in flight loses nothing. */
class ShutdownIT {
  private static final int EVENTS = 200;
  private static final int IN_FLIGHT = 50;

  private TestBroker broker;

  @BeforeEach
  void openBroker() throws Exception {
    broker = TestBroker.open();
  }

  @AfterEach
  void closeBroker() throws Exception {
    broker.close();
  }

  @Test
  void shutdownWithFiftyHandlersInFlightLeavesEveryEventHandledOrBackInTheQueue() throws Exception {
    String subscription = broker.subscription("shutdown");
    CountDownLatch fiftyStarted = new CountDownLatch(IN_FLIGHT);
    CountDownLatch releaseQuick = new CountDownLatch(1);
    CountDownLatch releaseSlow = new CountDownLatch(1);
    Set<String> started = ConcurrentHashMap.newKeySet();
    Set<String> finishedInTime = ConcurrentHashMap.newKeySet();
    Set<String> finishedLate = ConcurrentHashMap.newKeySet();
    RabbitTransport transport = broker.transport().shutdownTimeout(Duration.ofSeconds(1)).build();
    EventBus bus =
        broker.track(
            EventBus.builder()
                .transport(transport)
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
                .build());
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
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!accounted.containsAll(published) && System.nanoTime() < until) {
      for (GetResponse message : broker.drain(subscription)) {
        inQueue.add(message.getProps().getMessageId());
      }
      accounted.addAll(inQueue);
      if (!accounted.containsAll(published)) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
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
    assertThat(broker.messageCount(subscription + ".dlq")).isZero();
  }
}
