package io.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventType;
import io.eventbus.EventTypeRegistry;
import io.eventbus.PartitionKey;
import io.eventbus.PublishException;
import io.eventbus.PublishOptions;
import io.eventbus.PublishReceipt;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.codec.JacksonEventCodec;
import io.eventbus.spi.InboundMessage;
import io.eventbus.spi.OutboundMessage;
import io.eventbus.spi.SubscriptionSpec;
import io.eventbus.spi.Transport;
import io.eventbus.spi.TransportSubscription;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The publishing half against a recording transport (a fake of the SPI, not of a server): what it
 * puts on the wire, and how it fails.
 */
class BusPublisherTest {
  @EventType("test.order.v1")
  record Order(@PartitionKey String orderId, int items) {}

  record Unregistered(String id) {}

  /** Records what it is sent; fails the sends of the events whose partition keys it is told. */
  static final class Recording implements Transport {
    final List<OutboundMessage> sent = new ArrayList<>();
    final List<String> failingKeys = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Void> send(OutboundMessage message) {
      sent.add(message);
      String key = message.message().headers().get("cloudEvents:" + PartitionKeys.EXTENSION);
      return failingKeys.contains(key)
          ? CompletableFuture.failedFuture(new IllegalStateException("nack " + key))
          : CompletableFuture.completedFuture(null);
    }

    @Override
    public TransportSubscription subscribe(
        SubscriptionSpec spec, Consumer<InboundMessage> receiver) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private final Recording transport = new Recording();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final BusPublisher publisher =
      new BusPublisher(
          transport,
          "/orders",
          Clock.fixed(NOW, ZoneOffset.UTC),
          JacksonEventCodec.create(),
          Telemetry.disabled(),
          () -> EventTypeRegistry.builder().register(Order.class).build(),
          closed::get);

  @Test
  void anEventGoesOutWithItsTypeIdSourceTimePartitionKeyAndJsonBody() {
    PublishReceipt receipt =
        publisher
            .publish(new Order("o-1", 2), PublishOptions.none().withId("e-1"))
            .toCompletableFuture()
            .join();

    assertThat(receipt).isEqualTo(new PublishReceipt("e-1", "test.order.v1"));
    OutboundMessage message = transport.sent.get(0);
    assertThat(message.eventId()).isEqualTo("e-1");
    assertThat(message.eventType()).isEqualTo("test.order.v1");
    assertThat(message.message().contentType()).isEqualTo("application/json");
    assertThat(new String(message.message().body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"orderId\":\"o-1\",\"items\":2}");
    assertThat(message.message().headers())
        .containsEntry("cloudEvents:id", "e-1")
        .containsEntry("cloudEvents:type", "test.order.v1")
        .containsEntry("cloudEvents:source", "/orders")
        .containsEntry("cloudEvents:time", "2026-12-01T10:00:00Z")
        .containsEntry("cloudEvents:" + PartitionKeys.EXTENSION, "o-1");
  }

  @Test
  void anUnregisteredClassOrAClosedBusFailsTheFutureAndSendsNothing() {
    CompletableFuture<PublishReceipt> unknown =
        publisher.publish(new Unregistered("x"), PublishOptions.none()).toCompletableFuture();
    closed.set(true);
    CompletableFuture<PublishReceipt> afterClose =
        publisher.publish(new Order("o-1", 1), PublishOptions.none()).toCompletableFuture();

    assertThat(unknown).isCompletedExceptionally();
    assertThat(unknown.handle((r, e) -> e).join()).isInstanceOf(UnknownEventTypeException.class);
    assertThat(afterClose.handle((r, e) -> e).join())
        .isInstanceOf(PublishException.class)
        .hasMessageEndingWith("the bus is closed");
    assertThat(transport.sent).isEmpty();
    assertThatThrownBy(() -> publisher.prepare(new Order("o-2", 1), PublishOptions.none()))
        .isInstanceOf(PublishException.class);
  }

  @Test
  void aBatchSendsEveryEventAndFailsWithItsFirstFailureTheOthersSuppressed() {
    transport.failingKeys.addAll(List.of("b", "c"));

    Throwable failure =
        publisher
            .publishAll(List.of(new Order("a", 1), new Order("b", 1), new Order("c", 1)))
            .toCompletableFuture()
            .handle((receipts, e) -> e)
            .join();

    assertThat(transport.sent).hasSize(3);
    assertThat(failure).isInstanceOf(CompletionException.class);
    assertThat(failure.getCause()).hasMessage("nack b");
    assertThat(failure.getCause().getSuppressed())
        .extracting(Throwable::getMessage)
        .containsExactly("nack c");
  }

  @Test
  void aBatchWithoutFailuresAnswersEveryReceiptInOrder() {
    List<PublishReceipt> receipts =
        publisher
            .publishAll(List.of(new Order("a", 1), new Order("b", 1)))
            .toCompletableFuture()
            .join();

    assertThat(receipts)
        .extracting(PublishReceipt::eventId)
        .containsExactlyElementsOf(transport.sent.stream().map(OutboundMessage::eventId).toList());
  }

  @Test
  void publishAndWaitThrowsTheFailureItself() {
    transport.failingKeys.add("o-1");

    assertThatThrownBy(() -> publisher.publishAndWait(new Order("o-1", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("nack o-1");
    closed.set(true);
    assertThatThrownBy(() -> publisher.publishAndWait(new Order("o-2", 1)))
        .isInstanceOf(PublishException.class);
  }
}
