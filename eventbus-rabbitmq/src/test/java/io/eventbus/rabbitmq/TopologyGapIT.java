package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.PublishReceipt;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.rabbitmq.TestEvents.ShipmentDispatched;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An event of a type that one of the transport's own subscriptions is bound for, returned by the
 * broker as unroutable because the binding was removed behind the bus's back, is not accepted (nor
 * failed) as unroutable: the transport declares its topology again and sends the event again. On
 * the shared broker: the fixture's exchange, one subscription's queues, all deleted by the fixture.
 */
@EventBusTest(transport = TransportKind.BROKER)
class TopologyGapIT {
  private static final String TYPE = "it.payment.completed.v1";
  private static final String SUBSCRIPTION = "gaps";
  private static final int EVENTS = 50;
  private static final Duration WAIT = Duration.ofSeconds(15);

  private EventBusFixture fixture;
  private RawAmqp raw;

  /** Handles payments only, keeping the ids it saw. */
  static final class Payments {
    final Set<String> handled = ConcurrentHashMap.newKeySet();

    @EventHandler
    void on(PaymentCompleted event, EventContext context) {
      handled.add(context.metadata().id());
    }
  }

  @BeforeEach
  void openRawConnection(EventBusFixture fixture) throws Exception {
    this.fixture = fixture;
    this.raw = RawAmqp.open(fixture);
  }

  @AfterEach
  void closeRawConnection() throws Exception {
    raw.close();
  }

  private EventBus bus(RabbitTransport transport, Payments payments) {
    return EventBus.builder()
        .transport(fixture.transport(transport))
        .register(PaymentCompleted.class)
        .register(ShipmentDispatched.class)
        .subscribe(SUBSCRIPTION, payments)
        .build();
  }

  /** Removes the subscription's binding for the payment type, as an operator or a script might. */
  private void unbindBehindTheBusesBack() throws Exception {
    try (Channel channel = raw.channel()) {
      channel.queueUnbind(fixture.queueName(SUBSCRIPTION), fixture.exchange(), TYPE);
    }
    assertThat(routable(TYPE)).as("the binding is gone").isFalse();
  }

  /**
   * Whether the broker routes a message with {@code routingKey} on the fixture's exchange: a
   * mandatory publish, with confirms, that the broker returns (before its confirm) if not. The
   * message, if routed, is one the subscription will see: it has no message id, so it is not one of
   * the events counted here.
   */
  private boolean routable(String routingKey) throws Exception {
    try (Channel channel = raw.channel()) {
      List<Integer> returns = new CopyOnWriteArrayList<>();
      channel.addReturnListener(returned -> returns.add(returned.getReplyCode()));
      channel.confirmSelect();
      channel.basicPublish(
          fixture.exchange(),
          routingKey,
          true,
          new AMQP.BasicProperties.Builder().contentType("application/json").build(),
          "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(5_000);
      return returns.isEmpty();
    }
  }

  private static List<Object> payments(int count) {
    List<Object> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(new PaymentCompleted("payload-text-" + i, i));
    }
    return events;
  }

  @Test
  void everyEventPublishedWhileItsBindingIsMissingIsHandled() throws Exception {
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    Payments payments = new Payments();
    EventBus bus = bus(transport, payments);
    unbindBehindTheBusesBack();

    List<PublishReceipt> receipts;
    String log;
    try (LogCapture capture = LogCapture.start()) {
      receipts = bus.publishAll(payments(EVENTS)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      log = capture.text();
    }

    Set<String> ids = receipts.stream().map(PublishReceipt::eventId).collect(Collectors.toSet());
    assertThat(ids).hasSize(EVENTS);
    Await.until(
        WAIT,
        () -> payments.handled.containsAll(ids),
        EVENTS + " events handled by subscription " + SUBSCRIPTION);
    TransportStatus status = transport.status();
    assertThat(status.unroutableAccepted()).as("events accepted as unroutable").isZero();
    assertThat(status.topologyResends()).isPositive().isLessThanOrEqualTo(EVENTS);
    assertThat(transport.health().component("publisher").orElseThrow().details())
        .containsEntry("topologyResends", status.topologyResends());
    assertThat(routable(TYPE)).as("the binding is declared again").isTrue();
    assertThat(log.lines().filter(line -> line.contains("as unroutable from exchange")))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("WARN")
                    .contains(TYPE)
                    .contains("Declared the exchange and the subscriptions' queues")
                    .doesNotContain("payload-text"));
  }

  @Test
  void inStrictModeAPublishWhileTheBindingIsMissingSucceeds() throws Exception {
    RabbitTransport transport =
        Fixtures.rabbit(fixture)
            .publisher(PublisherSettings.defaults().withFailUnroutable(true))
            .build();
    Payments payments = new Payments();
    EventBus bus = bus(transport, payments);
    unbindBehindTheBusesBack();

    PublishReceipt receipt = bus.publishAndWait(new PaymentCompleted("strict", 1));

    Await.until(WAIT, () -> payments.handled.contains(receipt.eventId()), "the event handled");
    assertThat(transport.status().topologyResends()).isEqualTo(1);
    assertThat(transport.status().unroutableAccepted()).isZero();
  }

  @Test
  void anEventNoOwnSubscriptionIsBoundForIsAcceptedAndCountedWithoutADeclaration()
      throws Exception {
    RabbitTransport transport = Fixtures.rabbit(fixture).build();
    EventBus bus = bus(transport, new Payments());
    unbindBehindTheBusesBack(); // would be declared again if anything were

    bus.publishAndWait(new ShipmentDispatched("o-1", "nobody ships"));

    TransportStatus status = transport.status();
    assertThat(status.unroutableAccepted()).isEqualTo(1);
    assertThat(status.unroutableByType()).containsOnlyKeys("it.shipment.dispatched.v1");
    assertThat(status.topologyResends()).isZero();
    // Longer than the wait before a declaration: none came.
    Thread.sleep(500);
    assertThat(routable(TYPE)).as("the payment binding is still missing").isFalse();
  }
}
