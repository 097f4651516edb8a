package io.eventbus.benchmarks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.benchmarks.chaos.OutageRun.Result;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized dependency outage of docs/reliability.md: 12 s at 200 events/s with the dependency
 * down for 6 s, without and then with a circuit breaker, publisher and consumer in their own JVMs
 * against a private node. Nothing confirmed may be lost in either; with the breaker nothing may be
 * dead-lettered.
 */
class DependencyOutageIT {
  @Test
  void anOutageLosesNothingAndWithACircuitBreakerParksNothing(@TempDir Path work) throws Exception {
    Requirements.require(
        "rabbitmq-server (for private nodes)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");

    List<Result> results =
        OutageReport.runBoth(
            Duration.ofSeconds(12),
            200,
            Duration.ofSeconds(3),
            Duration.ofSeconds(6),
            List.of(true),
            work);

    System.out.println(OutageReport.table(results));
    for (Result result : results) {
      assertThat(result.lost()).as("lost, breaker %s", result.breaker()).isEmpty();
      assertThat(result.confirmed()).as("confirmed, breaker %s", result.breaker()).isPositive();
      assertThat(result.confirmed() + result.failed()).isEqualTo(result.published());
    }
    assertThat(results.get(1).breaker()).isTrue();
    assertThat(results.get(1).deadLettered()).as("dead-lettered with the breaker").isZero();
  }
}
