package io.eventbus.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventbus.samples.orders.Outcomes.OrderOutcome;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OrderFlowTest {
  @Test
  void runsTheWholeFlowInMemoryWhenNoBrokerAnswersAndSaysSoFirst() throws IOException {
    // As if no --uri had been given and no broker answered at the default URI.
    FlowOptions options =
        NoBroker.options(
            "--orders", "6", "--rate", "50", "--payment-outage", "1s", "--jdbc", "none");
    assertThat(options.uriGiven()).isFalse();
    FlowRun run = FlowRun.of(options);
    int code = run.code();
    String printed = run.printed();
    OrderFlow flow = run.flow();
    assertThat(code).as(printed).isZero();
    assertThat(printed.lines().findFirst().orElseThrow())
        .contains("IN MEMORY")
        .contains("sudo rabbitmq-server -detached");
    assertThat(flow.outcomes()).hasSize(6).allMatch(OrderOutcome::asExpected);
    assertThat(flow.outcomes())
        .filteredOn(OrderOutcome::poison)
        .singleElement()
        .extracting(OrderOutcome::shipping)
        .isEqualTo("parked");
    assertThat(printed)
        .contains("InvalidOrderException")
        .contains("billing       6 payments captured; the payment provider was down for 1.0 s")
        .containsPattern("deliveries given back, 0 parked")
        .contains("result: all 6 orders reached their expected state")
        .contains("6 placed and paid: 12 events confirmed, publish-to-confirm p50")
        .doesNotContain("outbox");
  }

  @Test
  void anExplicitUriThatDoesNotAnswerStopsTheRunInsteadOfFallingBackToMemory() throws IOException {
    FlowOptions options =
        FlowOptions.parse(
            "--uri", "amqp://guest:secret@127.0.0.1:" + NoBroker.closedPort(), "--jdbc", "none");
    FlowRun run = FlowRun.of(options);
    int code = run.code();
    String printed = run.printed();
    OrderFlow flow = run.flow();
    assertThat(code).isEqualTo(1);
    assertThat(printed)
        .contains("no broker answers at 127.0.0.1:")
        .contains("the --uri given: amqp://guest@127.0.0.1:")
        .contains("stopping rather than running in memory")
        .doesNotContain("IN MEMORY")
        .doesNotContain("secret");
    assertThat(flow.outcomes()).isEmpty();
  }

  @Test
  void aServiceRoleWithoutABrokerStopsWithTheCommandThatStartsOne() throws IOException {
    FlowOptions options =
        FlowOptions.parse(
            "--uri", "amqp://guest:guest@127.0.0.1:" + NoBroker.closedPort(), "--role", "shipping");
    FlowRun run = FlowRun.of(options);

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.printed())
        .contains("--role shipping needs one")
        .contains("sudo rabbitmq-server -detached");
  }

  @Test
  void theProbeTellsAListeningPortFromAClosedOne() throws IOException {
    try (ServerSocket listening = new ServerSocket(0)) {
      assertThat(BrokerProbe.answers("127.0.0.1", listening.getLocalPort(), Duration.ofSeconds(1)))
          .isTrue();
    }
    assertThat(BrokerProbe.answers("127.0.0.1", NoBroker.closedPort(), Duration.ofSeconds(1)))
        .isFalse();
  }
}
