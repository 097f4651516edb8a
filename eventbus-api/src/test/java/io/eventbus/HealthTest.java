package io.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.Health.Component;
import io.eventbus.Health.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {
  private static Component component(String name, Status status) {
    return new Component(name, status, status == Status.UP ? "" : "because", Map.of("n", 1));
  }

  @Test
  void theOverallStatusIsTheWorstOfTheComponents() {
    assertThat(Health.of(List.of()).status()).isEqualTo(Status.UP);
    assertThat(
            Health.of(List.of(component("a", Status.UP), component("b", Status.DEGRADED))).status())
        .isEqualTo(Status.DEGRADED);
    assertThat(
            Health.of(
                    List.of(
                        component("a", Status.DOWN),
                        component("b", Status.UNKNOWN),
                        component("c", Status.DEGRADED)))
                .status())
        .isEqualTo(Status.DOWN);
  }

  @Test
  void problemsListTheComponentsThatAreNotUpWorstFirst() {
    Health health =
        Health.of(
            List.of(
                component("a", Status.UNKNOWN),
                component("b", Status.UP),
                component("c", Status.DOWN)));

    assertThat(health.problems()).extracting(Component::name).containsExactly("c", "a");
    assertThat(health.component("b")).map(Component::status).contains(Status.UP);
    assertThat(health.component("z")).isEmpty();
  }
}
