package io.eventbus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.EventBus;
import io.eventbus.EventBusException;
import io.eventbus.PublishException;
import io.eventbus.PublishOptions;
import io.eventbus.UnknownEventTypeException;
import io.eventbus.UnroutableEventException;
import io.eventbus.rabbitmq.TestEvents.Accepting;
import io.eventbus.rabbitmq.TestEvents.PaymentCompleted;
import io.eventbus.testkit.junit5.EventBusFixture;
import io.eventbus.testkit.junit5.EventBusTest;
import io.eventbus.testkit.junit5.TransportKind;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

@EventBusTest(transport = TransportKind.BROKER)
class PublishIT {
  private static EventBus strictBus(EventBusFixture fixture) {
    return EventBus.builder()
        .transport(fixture.transport(settings -> settings.failUnroutable(true)))
        .register(PaymentCompleted.class)
        .build();
  }

  @Test
  void inStrictModeAnEventNoQueueIsBoundForFailsAsUnroutable(EventBusFixture fixture) {
    EventBus bus = strictBus(fixture);

    assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("o-1", 100)))
        .isInstanceOf(UnroutableEventException.class)
        .hasMessageContaining("it.payment.completed.v1")
        .hasMessageContaining("NO_ROUTE")
        .satisfies(e -> assertThat(((PublishException) e).eventId()).isNotBlank());
  }

  @Test
  void theFutureCarriesTheIdOfTheUnroutableEvent(EventBusFixture fixture) {
    EventBus bus = strictBus(fixture);

    assertThatThrownBy(
            () ->
                bus.publish(new PaymentCompleted("o-1", 100), PublishOptions.none().withId("my-id"))
                    .toCompletableFuture()
                    .join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(UnroutableEventException.class)
        .satisfies(e -> assertThat(((PublishException) e).eventId()).isEqualTo("my-id"));
  }

  @Test
  void aClassThatIsNotRegisteredFailsWithoutReachingTheBroker(EventBusFixture fixture) {
    record NotAnEvent(String value) {}
    EventBus bus = fixture.busBuilder().build();

    assertThatThrownBy(() -> bus.publishAndWait(new NotAnEvent("x")))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining(NotAnEvent.class.getName())
        .hasMessageContaining("@EventType");
  }

  @Test
  void publishingAfterCloseFailsAtOnce(EventBusFixture fixture) {
    EventBus bus = fixture.busBuilder().subscribe("closed", new Accepting()).build();
    bus.close();
    bus.close();

    assertThatThrownBy(() -> bus.publishAndWait(new PaymentCompleted("o-1", 1)))
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void anUnreachableBrokerFailsTheBuildWithoutThePassword() {
    assertThatThrownBy(
            () -> RabbitTransport.builder().uri("amqp://alice:s3cret@127.0.0.1:1").build())
        .isInstanceOf(EventBusException.class)
        .hasMessageContaining("amqp://alice@127.0.0.1:1")
        .hasMessageNotContaining("s3cret");
  }
}
