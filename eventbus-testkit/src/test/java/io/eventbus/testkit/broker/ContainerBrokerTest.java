package io.eventbus.testkit.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The container branch reaches Testcontainers by reflection: every call it makes must exist. */
class ContainerBrokerTest {
  @Test
  void everyReflectiveCallResolvesAgainstTheRealTestcontainersApi() throws Exception {
    ContainerBroker.Api api = ContainerBroker.Api.lookup();

    assertThat(api.create().type().returnType().getName())
        .isEqualTo(ContainerBroker.CONTAINER_CLASS);
    assertThat(Probes.testcontainersPresent()).isTrue();
  }
}
