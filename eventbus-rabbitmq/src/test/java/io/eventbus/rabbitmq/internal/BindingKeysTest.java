package io.eventbus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Binding keys match routing keys as RabbitMQ's topic exchange does. */
class BindingKeysTest {

  @Test
  void typeNamesMatchOnlyThemselves() {
    BindingKeys keys = BindingKeys.of(List.of("order.placed.v1", "order.paid.v1"));

    assertThat(keys.matches("order.placed.v1")).isTrue();
    assertThat(keys.matches("order.paid.v1")).isTrue();
    assertThat(keys.matches("order.placed.v2")).isFalse();
    assertThat(keys.matches("order.placed")).isFalse();
    assertThat(keys.matches("order.placed.v1.x")).isFalse();
    assertThat(BindingKeys.of(List.of()).matches("order.placed.v1")).isFalse();
  }

  @ParameterizedTest(name = "{0} binds {1}: {2}")
  @CsvSource({
    "order.*.v1, order.placed.v1, true",
    "order.*.v1, order.v1, false",
    "order.*.v1, order.placed.paid.v1, false",
    "order.#, order, true",
    "order.#, order.placed.v1, true",
    "order.#, orders.placed, false",
    "#, anything.at.all, true",
    "#, '', true",
    "*, '', false",
    "*, one, true",
    "*, one.two, false",
    "#.v1, v1, true",
    "#.v1, order.placed.v1, true",
    "#.v1, order.placed.v2, false",
    "order.#.v1, order.v1, true",
    "order.#.v1, order.a.b.c.v1, true",
    "order.#.v1, order.a.b.c.v2, false",
    "*.#.*, a, false",
    "*.#.*, a.b, true",
    "#.#, a.b.c, true",
    // Only whole words are wildcards.
    "order.pla*.v1, order.placed.v1, false",
    "order.pla*.v1, order.pla*.v1, true",
    "order.#x, order.a.b, false",
  })
  void wildcardWordsMatchAsInATopicExchange(String key, String routingKey, boolean expected) {
    assertThat(BindingKeys.of(List.of(key)).matches(routingKey)).isEqualTo(expected);
  }

  @Test
  void aPatternAmongExactKeysIsStillMatched() {
    BindingKeys keys = BindingKeys.of(List.of("order.placed.v1", "payment.#"));

    assertThat(keys.matches("payment.completed.v1")).isTrue();
    assertThat(keys.matches("order.placed.v1")).isTrue();
    assertThat(keys.matches("shipment.sent.v1")).isFalse();
  }
}
