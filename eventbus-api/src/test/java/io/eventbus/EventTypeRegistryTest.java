package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventTypeRegistryTest {
  @EventType("order.placed.v1")
  record OrderPlaced(String orderId) {}

  @EventType("order.placed.v1")
  record Impostor(String orderId) {}

  record Unannotated(String value) {}

  @EventType("has space")
  record BadName(String value) {}

  @Test
  void mapsNamesToClassesBothWays() {
    EventTypeRegistry registry =
        EventTypeRegistry.builder()
            .register(OrderPlaced.class)
            .register("legacy.v0", Unannotated.class)
            .build();

    assertThat(registry.classFor("order.placed.v1")).contains(OrderPlaced.class);
    assertThat(registry.nameFor(OrderPlaced.class)).contains("order.placed.v1");
    assertThat(registry.classFor("legacy.v0")).contains(Unannotated.class);
    assertThat(registry.classFor("nobody.v1")).isEmpty();
    assertThat(registry.nameFor(String.class)).isEmpty();
    assertThat(registry.names()).containsExactlyInAnyOrder("order.placed.v1", "legacy.v0");
  }

  @Test
  void registeringTheSamePairTwiceIsHarmless() {
    EventTypeRegistry registry =
        EventTypeRegistry.builder().register(OrderPlaced.class).register(OrderPlaced.class).build();

    assertThat(registry.names()).containsExactly("order.placed.v1");
  }

  @Test
  void aDuplicateNameNamesBothClasses() {
    assertThatThrownBy(
            () -> EventTypeRegistry.builder().register(OrderPlaced.class, Impostor.class))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("'order.placed.v1' is registered twice")
        .hasMessageContaining(OrderPlaced.class.getName())
        .hasMessageContaining(Impostor.class.getName());
  }

  @Test
  void aClassUnderTwoNamesIsRejected() {
    assertThatThrownBy(
            () ->
                EventTypeRegistry.builder()
                    .register(OrderPlaced.class)
                    .register("other.v1", OrderPlaced.class))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("registered under two names")
        .hasMessageContaining("'order.placed.v1' and 'other.v1'");
  }

  @Test
  void aClassWithoutTheAnnotationNeedsAnExplicitName() {
    assertThatThrownBy(() -> EventTypeRegistry.builder().register(Unannotated.class))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining(Unannotated.class.getName())
        .hasMessageContaining("no @EventType");
  }

  @Test
  void invalidNamesAreRejected() {
    assertThatThrownBy(() -> EventTypeRegistry.builder().register(BadName.class))
        .isInstanceOf(EventBusConfigurationException.class)
        .hasMessageContaining("'has space'");
    assertThatThrownBy(
            () -> EventTypeRegistry.builder().register("x".repeat(256), Unannotated.class))
        .isInstanceOf(EventBusConfigurationException.class);
    assertThatThrownBy(() -> EventTypeRegistry.builder().register("order.*", Unannotated.class))
        .isInstanceOf(EventBusConfigurationException.class);
  }

  @Test
  void toBuilderKeepsWhatWasRegistered() {
    EventTypeRegistry first = EventTypeRegistry.builder().register(OrderPlaced.class).build();
    EventTypeRegistry second = first.toBuilder().register("legacy.v0", Unannotated.class).build();

    assertThat(first.names()).containsExactly("order.placed.v1");
    assertThat(second.names()).containsExactlyInAnyOrder("order.placed.v1", "legacy.v0");
  }
}
