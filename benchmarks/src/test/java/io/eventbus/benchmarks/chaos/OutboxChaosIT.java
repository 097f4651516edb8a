package io.eventbus.benchmarks.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.benchmarks.chaos.OutboxChaosRun.Result;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The CI-sized outbox chaos run: 20 s at 100 orders/s, the relay process SIGKILLed every 4 s and
 * its broker connection cut every 3 s. No committed order's event may be lost or handled twice.
 */
class OutboxChaosIT {
  private static final String JDBC =
      System.getenv().getOrDefault("EVENTBUS_TEST_JDBC_URL", OutboxReliabilityReport.DEFAULT_JDBC);

  @BeforeAll
  static void postgresAnswers() {
    try (var connection = DriverManager.getConnection(JDBC)) {
      connection.isValid(5);
    } catch (Exception e) {
      String message = "No PostgreSQL for the outbox chaos run: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionFailedError(message + " (CI=true: a test that needs it fails)");
      }
      throw new TestAbortedException(message);
    }
  }

  @Test
  void noCommittedEventIsLostOrHandledTwiceWhileTheRelayIsKilledAndItsConnectionCut(
      @TempDir Path work) throws Exception {
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
}
