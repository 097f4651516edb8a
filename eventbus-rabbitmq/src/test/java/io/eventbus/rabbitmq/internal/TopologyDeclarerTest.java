package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.internal.FakeChannel.Declared;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What is declared for a subscription, and with which arguments, recorded by a fake channel. */
class TopologyDeclarerTest {
  private static final RabbitTopology TOPOLOGY = RabbitTopology.builder().exchange("bus").build();
  private final FakeChannel channel = new FakeChannel();

  private List<Declared> declare(RabbitTopology topology, SubscriptionSpec spec) throws Exception {
    new TopologyDeclarer(topology).declareSubscription(channel.channel(), spec);
    return channel.declarations();
  }

  private static SubscriptionSpec spec(Ordering ordering, Duration... delays) {
    return new SubscriptionSpec(
        "shipping", Set.of("order.placed.v1", "order.paid.v1"), 2, 10, List.of(delays), ordering);
  }

  private static Declared queue(List<Declared> declarations, String name) {
    return declarations.stream()
        .filter(d -> d.kind().equals("queue") && d.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no queue " + name + " in " + declarations));
  }

  @Test
  void aQuorumSubscriptionDeadLettersIntoItsDlqDeclaredFirstWithADeliveryLimit() throws Exception {
    List<Declared> declared = declare(TOPOLOGY, spec(Ordering.NONE));

    assertThat(declared.get(0))
        .isEqualTo(new Declared("queue", "shipping.dlq", "", Map.of("x-queue-type", "quorum")));
    assertThat(queue(declared, "shipping").arguments())
        .isEqualTo(
            Map.of(
                "x-queue-type", "quorum",
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", "shipping.dlq",
                "x-delivery-limit", 20));
    assertThat(declared)
        .filteredOn(d -> d.kind().equals("queueBind"))
        .extracting(Declared::name, Declared::target)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("shipping", "bus order.placed.v1"),
            org.assertj.core.groups.Tuple.tuple("shipping", "bus order.paid.v1"));
  }

  @Test
  void retryQueuesExpireBackIntoTheSubscriptionsQueueAtLeastOnce() throws Exception {
    List<Declared> declared =
        declare(TOPOLOGY, spec(Ordering.NONE, Duration.ofSeconds(1), Duration.ofMinutes(1)));

    assertThat(queue(declared, "shipping.retry.1000").arguments())
        .isEqualTo(
            Map.of(
                "x-queue-type", "quorum",
                "x-message-ttl", 1_000L,
                "x-dead-letter-exchange", "",
                "x-dead-letter-routing-key", "shipping",
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish"));
    assertThat(queue(declared, "shipping.retry.60000").arguments())
        .containsEntry("x-message-ttl", 60_000L);
    assertThat(declared.indexOf(queue(declared, "shipping.retry.1000")))
        .as("a retry queue is declared after the queue it feeds")
        .isGreaterThan(declared.indexOf(queue(declared, "shipping")));
  }

  @Test
  void anOrderedSubscriptionHasASingleActiveConsumer() throws Exception {
    List<Declared> declared = declare(TOPOLOGY, spec(Ordering.ORDERED));

    assertThat(queue(declared, "shipping").arguments())
        .containsEntry("x-single-active-consumer", true);
  }

  @Test
  void classicQueuesGetNoDeliveryLimitAndNoQuorumDeadLetterStrategy() throws Exception {
    RabbitTopology classic = TOPOLOGY.withQueueType(RabbitTopology.QueueType.CLASSIC);

    List<Declared> declared = declare(classic, spec(Ordering.NONE, Duration.ofSeconds(1)));

    assertThat(queue(declared, "shipping.dlq").arguments())
        .isEqualTo(Map.of("x-queue-type", "classic"));
    assertThat(queue(declared, "shipping").arguments())
        .containsEntry("x-queue-type", "classic")
        .doesNotContainKey("x-delivery-limit");
    assertThat(queue(declared, "shipping.retry.1000").arguments())
        .doesNotContainKeys("x-dead-letter-strategy", "x-overflow");
  }

  @Test
  void aPartitionedSubscriptionRoutesByHeaderAndSendsUnkeyedMessagesToPartitionZero()
      throws Exception {
    RabbitTopology topology = TOPOLOGY.withPartitions(2);

    List<Declared> declared = declare(topology, spec(Ordering.PARTITIONED, Duration.ofSeconds(1)));

    assertThat(declared)
        .filteredOn(d -> d.kind().equals("exchange"))
        .containsExactly(
            new Declared("exchange", "shipping.unkeyed", "fanout", Map.of()),
            new Declared(
                "exchange",
                "shipping.partitions",
                "headers",
                Map.of("alternate-exchange", "shipping.unkeyed")));
    for (int k = 0; k < 2; k++) {
      assertThat(queue(declared, "shipping.p" + k).arguments())
          .containsEntry("x-single-active-consumer", true)
          .containsEntry("x-dead-letter-routing-key", "shipping.dlq");
      assertThat(declared)
          .contains(
              new Declared(
                  "queueBind",
                  "shipping.p" + k,
                  "shipping.partitions ",
                  Map.of("x-match", "all", RabbitTopology.PARTITION_HEADER, Integer.toString(k))));
    }
    assertThat(declared)
        .contains(new Declared("queueBind", "shipping.p0", "shipping.unkeyed ", Map.of()))
        .contains(
            new Declared("exchangeBind", "shipping.partitions", "bus order.placed.v1", Map.of()));
    assertThat(queue(declared, "shipping.retry.1000").arguments())
        .containsEntry("x-dead-letter-exchange", "shipping.partitions")
        .doesNotContainKey("x-dead-letter-routing-key");
  }

  @Test
  void consumersReadTheQueueOncePerConcurrencySlotOrEachPartitionOnce() {
    TopologyDeclarer declarer = new TopologyDeclarer(TOPOLOGY.withPartitions(3));

    assertThat(declarer.consumedQueues(spec(Ordering.NONE)))
        .containsExactly("shipping", "shipping");
    assertThat(declarer.consumedQueues(spec(Ordering.ORDERED))).containsExactly("shipping");
    assertThat(declarer.consumedQueues(spec(Ordering.PARTITIONED)))
        .containsExactly("shipping.p0", "shipping.p1", "shipping.p2");
  }
}
