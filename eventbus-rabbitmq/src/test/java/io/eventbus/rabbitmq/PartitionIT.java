package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.Handlers;
import io.eventbus.PublishReceipt;
import io.eventbus.SubscriptionOptions;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.TestEvents.AccountChanged;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Partitioned ordering: per key in publish order, different keys in parallel. */
@EventBusTest(transport = TransportKind.BROKER)
class PartitionIT {
  private static final int EVENTS = 10_000;
  private static final int KEYS = 200;

  /** Records the sequence numbers per key and the threads that handled them. */
  static final class Ledger {
    final Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final CountDownLatch done;

    Ledger(int expected) {
      done = new CountDownLatch(expected);
    }

    void on(AccountChanged event, EventContext context) {
      threads.add(Thread.currentThread().getName());
      byKey
          .computeIfAbsent(event.account(), k -> Collections.synchronizedList(new ArrayList<>()))
          .add(event.sequence());
      done.countDown();
    }
  }

  @Test
  void eventsWithTheSameKeyAreHandledInPublishOrderAndKeysRunInParallel(EventBusFixture fixture)
      throws Exception {
    Ledger ledger = new Ledger(EVENTS + 1);
    String subscription = "accounts";
    String queue = fixture.queueName(subscription);
    EventBus bus =
        EventBus.builder()
            .transport(fixture.transport(Fixtures.rabbit(fixture).build()))
            .subscribe(
                SubscriptionOptions.builder(subscription)
                    .ordering(Ordering.PARTITIONED)
                    .prefetch(100)
                    .build(),
                Handlers.builder().on(AccountChanged.class, ledger::on).build())
            .build();

    List<CompletableFuture<PublishReceipt>> published = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      published.add(
          bus.publish(new AccountChanged("acct-" + (i % KEYS), i / KEYS)).toCompletableFuture());
    }
    CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    // A message from another client without the partition header still arrives (partition 0).
    RawAmqp raw = RawAmqp.open(fixture);
    raw.publish(
        "it.account.changed.v1",
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .headers(
                Map.of(
                    "cloudEvents:specversion", "1.0",
                    "cloudEvents:id", "unkeyed-1",
                    "cloudEvents:source", "urn:other",
                    "cloudEvents:type", "it.account.changed.v1"))
            .build(),
        "{\"account\":\"unkeyed\",\"sequence\":0}".getBytes(StandardCharsets.UTF_8));

    assertThat(ledger.done.await(90, TimeUnit.SECONDS))
        .as("all events handled, %s left", ledger.done.getCount())
        .isTrue();
    List<Integer> inOrder = IntStream.range(0, EVENTS / KEYS).boxed().toList();
    assertThat(ledger.byKey).hasSize(KEYS + 1);
    for (int k = 0; k < KEYS; k++) {
      assertThat(ledger.byKey.get("acct-" + k)).as("acct-" + k).isEqualTo(inOrder);
    }
    assertThat(ledger.byKey.get("unkeyed")).containsExactly(0);
    assertThat(ledger.threads).as("partitions are consumed in parallel").hasSizeGreaterThan(1);
    for (int k = 0; k < 4; k++) {
      assertThat(raw.messageCount(queue + ".p" + k)).isZero();
    }
    raw.close();
  }

  @Test
  void theSamePartitionIsComputedForTheSameKeyEverywhere() {
    RabbitTopology topology = RabbitTopology.defaults().withPartitions(4);

    assertThat(topology.partitionOf("acct-1")).isEqualTo(topology.partitionOf("acct-1"));
    // CRC-32 of "123456789" is 0xCBF43926, the standard check value: 3421780262 % 4 == 2.
    assertThat(topology.partitionOf("123456789")).isEqualTo(2);
    assertThat(
            IntStream.range(0, 1_000).map(i -> topology.partitionOf("key-" + i)).distinct().count())
        .isEqualTo(4);
  }

  @Test
  void anOrderedSubscriptionHasASingleActiveConsumer(EventBusFixture fixture) throws Exception {
    String subscription = "ordered";
    CountDownLatch handled = new CountDownLatch(50);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    EventBus bus =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder(subscription).ordering(Ordering.ORDERED).build(),
                Handlers.builder()
                    .on(
                        AccountChanged.class,
                        (event, context) -> {
                          seen.add(event.sequence());
                          handled.countDown();
                        })
                    .build())
            .build();
    // A second instance of the same service waits as a standby consumer.
    EventBus standby =
        fixture
            .busBuilder()
            .subscribe(
                SubscriptionOptions.builder(subscription).ordering(Ordering.ORDERED).build(),
                Handlers.builder()
                    .on(
                        AccountChanged.class,
                        (event, context) -> {
                          seen.add(-1);
                          handled.countDown();
                        })
                    .build())
            .build();

    for (int i = 0; i < 50; i++) {
      bus.publish(new AccountChanged("a", i));
    }

    assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).isEqualTo(IntStream.range(0, 50).boxed().toList());
    standby.close();
  }
}
