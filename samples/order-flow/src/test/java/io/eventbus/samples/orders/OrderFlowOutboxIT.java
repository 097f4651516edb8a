package io.eventbus.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.samples.orders.Outcomes.OrderOutcome;
import io.eventbus.testkit.junit5.Requirements;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole flow with the local PostgreSQL, in memory (no broker needed): the order service stores
 * its events through the outbox, and the summary says so rather than calling them confirmed.
 */
class OrderFlowOutboxIT {
  private final String namespace =
      "order-flow-outbox-it-" + UUID.randomUUID().toString().substring(0, 8);
  private boolean databaseAnswered;

  @Test
  void theSummarySaysTheEventsWereStoredInTheOutboxAndThenConfirmedThroughTheRelay()
      throws IOException {
    Requirements.require(
        "PostgreSQL at " + FlowOptions.DEFAULT_JDBC,
        BrokerProbe.answers("127.0.0.1", 5432, Duration.ofSeconds(1)),
        "Start it, e.g. 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main"
            + " start'.");
    databaseAnswered = true;
    FlowOptions options =
        NoBroker.options("--orders", "6", "--rate", "50", "--namespace", namespace);
    FlowRun run = FlowRun.of(options);
    int code = run.code();
    String printed = run.printed();
    OrderFlow flow = run.flow();
    assertThat(code).as(printed).isZero();
    assertThat(printed)
        .contains("OrderPlaced and PaymentCompleted go through the transactional outbox");
    assertThat(flow.outcomes()).hasSize(6).allMatch(OrderOutcome::asExpected);
    assertThat(printed)
        .contains("6 placed and paid: 12 events stored in the outbox, store-to-commit p50")
        .contains("; 12 relayed and confirmed")
        .doesNotContain("events confirmed")
        .contains("result: all 6 orders reached their expected state");
  }

  @AfterEach
  void dropTheNamespacesSchema() throws SQLException {
    if (!databaseAnswered) {
      return;
    }
    try (Connection connection = DriverManager.getConnection(FlowOptions.DEFAULT_JDBC);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + OrdersDatabase.schemaOf(namespace) + " CASCADE");
    }
  }
}
