package io.eventbus.benchmarks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.benchmarks.chaos.ChaosRun.Result;
import io.eventbus.benchmarks.chaos.ChaosRun.Scenario;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized chaos run: the first four scenarios of docs/reliability.md, 8 s each, publisher and
 * consumer in their own JVMs against a private node. Nothing confirmed may be lost.
 */
class ChaosIT {
  @Test
  void noConfirmedEventIsLostUnderCutsRestartsSigkillAndAMemoryAlarm(@TempDir Path work)
      throws Exception {
    Requirements.require(
        "rabbitmq-server (for private nodes)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    List<Result> results =
        ReliabilityReport.runAll(
            EnumSet.of(
                Scenario.CONNECTION_CUTS,
                Scenario.NODE_RESTARTS,
                Scenario.CONSUMER_SIGKILL,
                Scenario.MEMORY_ALARM),
            Duration.ofSeconds(8),
            250,
            work);

    System.out.println(ReliabilityReport.table(results));
    assertThat(results).hasSize(4);
    for (Result result : results) {
      assertThat(result.lost()).as("lost in %s", result.scenario()).isEmpty();
      assertThat(result.confirmed() + result.failed())
          .as("settled publishes in %s", result.scenario())
          .isEqualTo(result.published());
      assertThat(result.confirmed()).as("confirmed in %s", result.scenario()).isPositive();
    }
  }
}
