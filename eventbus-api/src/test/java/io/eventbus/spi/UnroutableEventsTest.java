package io.eventbus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UnroutableEventsTest {
  @Test
  void countsByTypeAndInTotal() {
    UnroutableEvents unroutable = UnroutableEvents.create("exchange 'x'");

    unroutable.accepted("b.v1");
    unroutable.accepted("a.v1");
    unroutable.accepted("b.v1");

    assertThat(unroutable.total()).isEqualTo(3);
    assertThat(unroutable.byType()).containsExactly(Map.entry("a.v1", 1L), Map.entry("b.v1", 2L));
  }

  @Test
  void typesBeyondTheBoundAreCountedTogetherUnderOther() {
    UnroutableEvents unroutable = UnroutableEvents.create("exchange 'x'");
    for (int i = 0; i < UnroutableEvents.MAX_TYPES + 5; i++) {
      unroutable.accepted("type-" + i);
    }
    unroutable.accepted("type-0");

    assertThat(unroutable.byType())
        .hasSize(UnroutableEvents.MAX_TYPES + 1)
        .containsEntry("(other)", 5L)
        .containsEntry("type-0", 2L);
    assertThat(unroutable.total()).isEqualTo(UnroutableEvents.MAX_TYPES + 6L);
  }
}
