package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBusConfigurationException;
import io.eventbus.SubscriptionOptions.Ordering;
import io.eventbus.spi.SubscriptionSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RabbitTopologyTest {
  @Test
  void theDefaultsAreTheDocumentedOnes() {
    assertThat(RabbitTopology.defaults())
        .isEqualTo(new RabbitTopology("eventbus", RabbitTopology.QueueType.QUORUM, ".dlq", 20, 4))
        .isEqualTo(RabbitTopology.builder().build());
  }

  @Test
  void toBuilderKeepsEverySettingAndWithCopiesChangeOnlyTheirOwn() {
    RabbitTopology custom =
        RabbitTopology.builder()
            .exchange("orders")
            .queueType(RabbitTopology.QueueType.CLASSIC)
            .deadLetterSuffix(".parked")
            .deliveryLimit(5)
            .partitions(8)
            .build();

    assertThat(custom.toBuilder().build()).isEqualTo(custom);
    assertThat(custom.withExchange("payments").exchange()).isEqualTo("payments");
    assertThat(custom.withQueueType(RabbitTopology.QueueType.QUORUM).queueType())
        .isEqualTo(RabbitTopology.QueueType.QUORUM);
    assertThat(custom.withDeadLetterSuffix(".dead").deadLetterQueue("shipping"))
        .isEqualTo("shipping.dead");
    assertThat(custom.withDeliveryLimit(9).deliveryLimit()).isEqualTo(9);
    assertThat(custom.withPartitions(16).withPartitions(8)).isEqualTo(custom);
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        mistake("empty exchange", b -> b.exchange(""), "RabbitTopology.exchange"),
        mistake("reserved exchange", b -> b.exchange("amq.topic"), "RabbitTopology.exchange"),
        mistake("empty suffix", b -> b.deadLetterSuffix(""), "RabbitTopology.deadLetterSuffix"),
        mistake("no delivery limit", b -> b.deliveryLimit(0), "RabbitTopology.deliveryLimit"),
        mistake("no partitions", b -> b.partitions(0), "RabbitTopology.partitions"),
        mistake("too many partitions", b -> b.partitions(257), "RabbitTopology.partitions"));
  }

  private static Arguments mistake(
      String name, UnaryOperator<RabbitTopology.Builder> setting, String named) {
    return Arguments.argumentSet(name, setting, named);
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void aValueOutOfRangeFailsTheBuildNamingTheSetting(
      UnaryOperator<RabbitTopology.Builder> setting, String named) {
    RabbitTopology.Builder builder = setting.apply(RabbitTopology.builder());

    assertThatThrownBy(builder::build)
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageStartingWith(named + " must");
  }

  @Test
  void aNullIsRefusedByTheSetterNamingIt() {
    assertThatThrownBy(() -> RabbitTopology.builder().exchange(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("exchange");
  }

  @Test
  void theNamesOfASubscriptionsQueuesFollowFromTheTopology() {
    RabbitTopology topology = RabbitTopology.builder().partitions(2).build();
    SubscriptionSpec partitioned =
        new SubscriptionSpec(
            "shipping",
            Set.of("order.placed.v1"),
            1,
            10,
            List.of(Duration.ofSeconds(1)),
            Ordering.PARTITIONED);

    assertThat(topology.queuesOf(partitioned))
        .containsExactly("shipping.dlq", "shipping.p0", "shipping.p1", "shipping.retry.1000");
    assertThat(topology.exchangesOf(partitioned))
        .containsExactly("shipping.partitions", "shipping.unkeyed");
  }

  @Test
  void aKeysPartitionIsItsCrc32ModuloThePartitionCount() {
    // zlib.crc32(b"123456789") == 0xCBF43926 == 3421780262, the standard CRC-32 check value.
    assertThat(RabbitTopology.builder().partitions(7).build().partitionOf("123456789"))
        .isEqualTo((int) (3421780262L % 7));
    assertThat(RabbitTopology.builder().partitions(256).build().partitionOf("123456789"))
        .isEqualTo(0x26);
  }
}
