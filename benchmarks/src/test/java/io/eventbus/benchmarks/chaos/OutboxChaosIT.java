package io.eventbus.benchmarks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.benchmarks.chaos.OutboxChaosRun.Result;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized outbox chaos run: 20 s at 100 orders/s, the relay process SIGKILLed every 4 s and
 * its broker connection cut every 3 s. No committed order's event may be lost or handled twice.
 */
class OutboxChaosIT {
  private static final String JDBC =
      System.getenv().getOrDefault("EVENTBUS_TEST_JDBC_URL", OutboxReliabilityReport.DEFAULT_JDBC);

  @Test
  void noCommittedEventIsLostOrHandledTwiceWhileTheRelayIsKilledAndItsConnectionCut(
      @TempDir Path work) throws Exception {
    Requirements.require(
        "rabbitmq-server (for private nodes)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    Requirements.require(
        "PostgreSQL at " + JDBC.replaceAll("password=[^&]*", "password=***"),
        postgresAnswers(),
        "Start it, or set EVENTBUS_TEST_JDBC_URL.");
    Result result;
    try (PrivateRabbitNode node = PrivateRabbitNode.start()) {
      result =
          new OutboxChaosRun(work, JDBC)
              .run(node, Duration.ofSeconds(20), 100, Duration.ofSeconds(4), Duration.ofSeconds(3));
    }

    System.out.println(OutboxChaosRun.table(List.of(result)));
    assertThat(result.committed()).isEqualTo(2_000);
    assertThat(result.lost()).isZero();
    assertThat(result.handledDuplicates()).isZero();
    assertThat(result.handledUnique()).isEqualTo(result.committed());
    assertThat(result.relayKills()).isGreaterThanOrEqualTo(3);
    assertThat(result.cuts()).isGreaterThanOrEqualTo(3);
  }

  private static boolean postgresAnswers() {
    try (var connection = DriverManager.getConnection(JDBC)) {
      return connection.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }
}
