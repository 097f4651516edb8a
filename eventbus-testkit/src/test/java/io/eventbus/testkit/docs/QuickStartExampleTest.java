package io.eventbus.testkit.docs;

import static io.eventbus.testkit.assertj.EventBusAssertions.assertThat;

import io.eventbus.EventBus;
import io.eventbus.EventContext;
import io.eventbus.EventHandler;
import io.eventbus.EventType;
import io.eventbus.Handlers;
import io.eventbus.SubscriptionOptions;
import io.eventbus.inmemory.InMemoryTransport;
import io.eventbus.testkit.EventRecorder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start, compiled and run in memory: an annotated handler and a builder-time
 * handler that both publish a follow-up event through their {@link EventContext}, on a bus built as
 * the README builds it (on RabbitMQ there). The README quotes every region between {@code //
 * tag::name[]} and {@code // end::name[]} exactly.
 */
class QuickStartExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  // tag::events[]
  @EventType("order.placed.v1")
  record OrderPlaced(String orderId, BigDecimal total) {}

  @EventType("order.shipped.v1")
  record OrderShipped(String orderId) {}

  class ShippingHandlers {
    @EventHandler
    void on(OrderPlaced order, EventContext context) {
      System.out.println("ship " + order.orderId() + " (event " + context.metadata().id() + ")");
      context.publisher().publishAndWait(new OrderShipped(order.orderId())); // a follow-up event
    }
  }

  // end::events[]

  @Test
  void theAnnotatedHandlerPublishesItsFollowUpThroughItsContext() {
    EventRecorder recorder = EventRecorder.create();
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus tracking =
            EventBus.builder()
                .transport(recorder.record(transport.peer()))
                .subscribe(
                    "tracking", Handlers.builder().on(OrderShipped.class, (e, c) -> {}).build())
                .build();
        EventBus bus =
            EventBus.builder()
                .transport(recorder.record(transport))
                .source("/orders")
                .register(OrderShipped.class) // what the handlers publish
                .subscribe("shipping", new ShippingHandlers())
                .build()) {
      bus.publishAndWait(new OrderPlaced("o-1", new BigDecimal("9.90")));

      assertThat(recorder.awaitHandled("tracking", OrderShipped.class, 1, WAIT))
          .containsExactly(new OrderShipped("o-1"));
      assertThat(recorder).hasNoDeadLetters();
    }
  }

  @Test
  void aBuilderTimeHandlerPublishesItsFollowUpThroughItsContext() {
    EventRecorder recorder = EventRecorder.create();
    InMemoryTransport transport = InMemoryTransport.create();
    try (EventBus tracking =
            EventBus.builder()
                .transport(recorder.record(transport.peer()))
                .subscribe(
                    "tracking", Handlers.builder().on(OrderShipped.class, (e, c) -> {}).build())
                .build();
        EventBus bus =
            EventBus.builder()
                .transport(recorder.record(transport))
                .source("/orders")
                .register(OrderShipped.class)
                // tag::builder[]
                .subscribe(
                    SubscriptionOptions.named("shipping"),
                    Handlers.builder()
                        .on(
                            OrderPlaced.class,
                            (order, context) ->
                                context
                                    .publisher()
                                    .publishAndWait(new OrderShipped(order.orderId())))
                        .build())
                // end::builder[]
                .build()) {
      bus.publishAndWait(new OrderPlaced("o-2", BigDecimal.ONE));

      assertThat(recorder.awaitHandled("tracking", OrderShipped.class, 1, WAIT))
          .containsExactly(new OrderShipped("o-2"));
    }
  }

  @Test
  void theReadmeQuotesEveryTaggedRegionExactly() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String source =
        Files.readString(
            Path.of("src/test/java/io/eventbus/testkit/docs/QuickStartExampleTest.java"),
            StandardCharsets.UTF_8);
    Map<String, String> regions = TaggedRegions.of(source);
    regions.forEach(
        (name, text) ->
            org.assertj.core.api.Assertions.assertThat(readme)
                .as("README.md quotes the region %s", name)
                .contains(text));
    org.assertj.core.api.Assertions.assertThat(regions.keySet())
        .containsExactly("events", "builder");
  }
}
