package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventbus.codec.WireMessage;
import io.eventbus.middleware.DeliveryContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlersTest {
  @EventType("thing.happened.v1")
  record ThingHappened(String name) {}

  @EventType("other.happened.v1")
  record OtherHappened(String name) {}

  static class GoodHandlers {
    final List<String> seen = new ArrayList<>();

    @EventHandler
    void on(ThingHappened event) {
      seen.add("thing " + event.name());
    }

    @EventHandler
    private void on(OtherHappened event, EventContext context) {
      seen.add("other " + event.name() + " attempt " + context.attempt());
    }
  }

  static class StaticHandler {
    @EventHandler
    static void on(ThingHappened event) {}
  }

  static class ReturningHandler {
    @EventHandler
    String on(ThingHappened event) {
      return "";
    }
  }

  static class NoParameters {
    @EventHandler
    void on() {}
  }

  static class WrongSecondParameter {
    @EventHandler
    void on(ThingHappened event, String extra) {}
  }

  static class PrimitiveEvent {
    @EventHandler
    void on(int event) {}
  }

  static class TwoForOneType {
    @EventHandler
    void first(ThingHappened event) {}

    @EventHandler
    void second(ThingHappened event) {}
  }

  static class Throwing {
    @EventHandler
    void on(ThingHappened event) throws Exception {
      throw new java.io.IOException("disk full");
    }
  }

  static class NoHandlers {}

  @Test
  void annotatedMethodsBecomeHandlersThatCanBeCalled() throws Exception {
    GoodHandlers target = new GoodHandlers();
    Handlers handlers = Handlers.scan(target);

    assertThat(handlers.registrations()).containsOnlyKeys(ThingHappened.class, OtherHappened.class);
    call(handlers, ThingHappened.class, new ThingHappened("a"));
    call(handlers, OtherHappened.class, new OtherHappened("b"));
    assertThat(target.seen).containsExactly("thing a", "other b attempt 1");
  }

  @Test
  void checkedExceptionsOfHandlersPropagateUnwrapped() {
    Handlers handlers = Handlers.scan(new Throwing());

    assertThatThrownBy(() -> call(handlers, ThingHappened.class, new ThingHappened("a")))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("disk full");
  }

  @Test
  void malformedMethodsAreRejectedWithTheMethodNamed() {
    assertThatThrownBy(() -> Handlers.scan(new StaticHandler()))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("StaticHandler.on(ThingHappened)")
        .hasMessageContaining("must not be static");
    assertThatThrownBy(() -> Handlers.scan(new ReturningHandler()))
        .hasMessageContaining("ReturningHandler.on(ThingHappened)")
        .hasMessageContaining("must return void");
    assertThatThrownBy(() -> Handlers.scan(new NoParameters()))
        .hasMessageContaining("NoParameters.on()")
        .hasMessageContaining("must take the event");
    assertThatThrownBy(() -> Handlers.scan(new WrongSecondParameter()))
        .hasMessageContaining("WrongSecondParameter.on(ThingHappened, String)")
        .hasMessageContaining("second parameter");
    assertThatThrownBy(() -> Handlers.scan(new PrimitiveEvent()))
        .hasMessageContaining("PrimitiveEvent.on(int)")
        .hasMessageContaining("event class");
    assertThatThrownBy(() -> Handlers.scan(new NoHandlers()))
        .hasMessageContaining(NoHandlers.class.getName())
        .hasMessageContaining("no @EventHandler or @RequestHandler methods");
  }

  @Test
  void twoHandlersForOneTypeAreRejectedWithBothNamed() {
    assertThatThrownBy(() -> Handlers.scan(new TwoForOneType()))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("Two handlers for " + ThingHappened.class.getName())
        .hasMessageContaining("TwoForOneType.first(ThingHappened)")
        .hasMessageContaining("TwoForOneType.second(ThingHappened)");
  }

  @Test
  void lambdasAndScannedObjectsCombine() {
    Handlers handlers =
        Handlers.builder()
            .on(OtherHappened.class, (event, context) -> {})
            .scan(new Throwing())
            .build();

    assertThat(handlers.registrations()).containsOnlyKeys(ThingHappened.class, OtherHappened.class);
    assertThatThrownBy(
            () -> Handlers.builder().on(ThingHappened.class, (e, c) -> {}).scan(new Throwing()))
        .hasMessageContaining("(lambda)")
        .hasMessageContaining("Throwing.on(ThingHappened)");
  }

  @SuppressWarnings("unchecked")
  private static <E> void call(Handlers handlers, Class<E> type, E event) throws Exception {
    var registration = (Handlers.Registration<E>) handlers.registrations().get(type);
    EventMetadata metadata = EventMetadata.of("id-1", "t", "/test", Instant.EPOCH);
    DeliveryContext context =
        DeliveryContext.received("sub", new WireMessage(new byte[0], null, Map.of()), false, 1)
            .withEvent(metadata, event);
    registration.function().handle(event, context);
  }
}
