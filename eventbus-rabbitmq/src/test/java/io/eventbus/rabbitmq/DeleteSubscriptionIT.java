package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.Handlers;
import io.eventbus.Subscription;
import io.eventbus.SubscriptionOptions;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RabbitTransport#deleteSubscription}: it deletes every queue and exchange the topology
 * declares for a subscription, and nothing else, and refuses while the subscription runs.
 */
@EventBusTest(transport = TransportKind.BROKER)
class DeleteSubscriptionIT {
  private static Handlers payments() {
    return Handlers.builder().on(PaymentCompleted.class, (event, context) -> {}).build();
  }

  @Test
  void deletesEveryQueueOfTheSubscriptionAndNothingElseOnceItStopped(EventBusFixture fixture) {
    RabbitTransport admin = Fixtures.rabbit(fixture).build();
    EventBus bus = EventBus.builder().transport(fixture.transport(admin)).build();
    String shipping = fixture.queueName("shipping");
    Subscription running =
        bus.subscribe(
            SubscriptionOptions.builder("shipping")
                .redeliveryDelays(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build(),
            payments());
    bus.subscribe(SubscriptionOptions.named("shipping-eu"), payments());
    bus.subscribe(
        SubscriptionOptions.builder("tracking")
            .ordering(SubscriptionOptions.Ordering.PARTITIONED)
            .build(),
        payments());
    bus.publishAndWait(new PaymentCompleted("o-1", 1));

    assertThatThrownBy(() -> admin.deleteSubscription(shipping))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("running");
    assertThat(admin.queueStatus(shipping)).isPresent();

    running.close();
    List<String> deleted =
        admin.deleteSubscription(
            SubscriptionOptions.builder(shipping)
                .redeliveryDelays(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .build());

    assertThat(deleted)
        .containsExactlyInAnyOrder(
            shipping, shipping + ".dlq", shipping + ".retry.1000", shipping + ".retry.30000");
    assertThat(deleted).allSatisfy(queue -> assertThat(admin.queueStatus(queue)).isEmpty());
    String other = fixture.queueName("shipping-eu");
    assertThat(admin.queueStatus(other)).isPresent();
    assertThat(admin.queueStatus(other + ".dlq")).isPresent();
    assertThat(admin.queueStatus(fixture.queueName("tracking") + ".p0")).isPresent();
    // The bus's exchange is still there: the other subscriptions still get their events.
    bus.publishAndWait(new PaymentCompleted("o-2", 2));
    assertThat(admin.deleteSubscription(shipping)).isEmpty();
  }

  @Test
  void byNameItDeletesAPartitionedSubscriptionsQueuesAndExchanges(EventBusFixture fixture) {
    RabbitTransport admin = Fixtures.rabbit(fixture).build();
    EventBus bus = EventBus.builder().transport(fixture.transport(admin)).build();
    String tracking = fixture.queueName("tracking");
    bus.subscribe(
            SubscriptionOptions.builder("tracking")
                .ordering(SubscriptionOptions.Ordering.PARTITIONED)
                .build(),
            payments())
        .close();

    List<String> deleted = admin.deleteSubscription(tracking);

    assertThat(deleted)
        .containsExactlyInAnyOrder(
            tracking + ".dlq",
            tracking + ".p0",
            tracking + ".p1",
            tracking + ".p2",
            tracking + ".p3",
            tracking + ".retry.1000",
            tracking + ".retry.10000",
            tracking + ".retry.60000",
            tracking + ".partitions",
            tracking + ".unkeyed");
    assertThat(admin.queueStatus(tracking + ".p0")).isEmpty();
  }

  @Test
  void itRefusesWhileAnotherInstanceConsumesAndDeletesNothing(EventBusFixture fixture) {
    EventBus elsewhere =
        fixture.busBuilder().subscribe(SubscriptionOptions.named("billing"), payments()).build();
    RabbitTransport admin = Fixtures.rabbit(fixture).build();
    fixture.transport(admin); // closed with the fixture
    String billing = fixture.queueName("billing");

    assertThatThrownBy(() -> admin.deleteSubscription(billing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("consumer");
    assertThat(admin.queueStatus(billing + ".dlq")).isPresent();

    elsewhere.close();
    assertThat(admin.deleteSubscription(billing)).contains(billing, billing + ".dlq");
  }
}
