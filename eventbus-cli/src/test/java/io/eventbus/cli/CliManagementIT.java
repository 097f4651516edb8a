package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventbus.EventBus;
import io.eventbus.cli.Scene.Flaky;
import io.eventbus.cli.Scene.OrderPlaced;
import io.eventbus.cli.Scene.PaymentFailed;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.broker.NodeConfig;
import io.eventbus.testkit.broker.PrivateRabbitNode;
import io.eventbus.testkit.junit5.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool against a private node with the management plugin (the shared node has it disabled):
 * subscriptions found without naming them, the figures only the management API has, and a user
 * whose password is a canary that no output may contain. Writes the session as a transcript to
 * {@code target/cli-transcript.md} (quoted in docs/operations.md).
 */
class CliManagementIT {
  private static final String CANARY = "canary-" + UUID.randomUUID();

  @TempDir static Path folder;

  private static PrivateRabbitNode node;
  private static Path passwordFile;
  private static final StringBuilder transcript = new StringBuilder();

  @BeforeAll
  static void startNode() throws Exception {
    CliProcess.requireJar();
    Requirements.require(
        "rabbitmq-server (for a private node with the management plugin)",
        PrivateRabbitNode.installation().isPresent(),
        "Install it with 'sudo apt-get install rabbitmq-server'.");
    // The management API's figures are sampled (every 5 s by default): sample faster here.
    node =
        PrivateRabbitNode.start(
            NodeConfig.defaults().withManagement().withConfig("collect_statistics_interval = 500"));
    node.rabbitmqctl("add_user", "ops", CANARY);
    node.rabbitmqctl("set_user_tags", "ops", "management");
    node.rabbitmqctl("set_permissions", "-p", "/", "ops", ".*", ".*", ".*");
    passwordFile = Files.writeString(folder.resolve("ops.password"), CANARY + "\n");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
    Files.writeString(Path.of("target", "cli-transcript.md"), transcript.toString());
  }

  private CliProcess.Result cli(Scene scene, String... args) {
    return cli(true, scene, args);
  }

  private CliProcess.Result cli(boolean record, Scene scene, String... args) {
    return cli(record, "", scene, args);
  }

  private CliProcess.Result cli(boolean record, String stdin, Scene scene, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--exchange", scene.exchange));
    Map<String, String> environment =
        Map.of(
            "EVENTBUS_URI",
            "amqp://127.0.0.1:" + node.port(),
            "EVENTBUS_USERNAME",
            "ops",
            "EVENTBUS_PASSWORD_FILE",
            passwordFile.toString(),
            "EVENTBUS_MANAGEMENT_URL",
            node.managementUrl());
    CliProcess.Result result = CliProcess.run(environment, stdin, all);
    if (!record) {
      assertThat(result.all()).as("the password never appears").doesNotContain(CANARY);
      return result;
    }
    transcript
        .append(stdin.isEmpty() ? "" : "$ echo " + stdin.strip() + " | eventbus ")
        .append(stdin.isEmpty() ? "$ eventbus " : "")
        .append(String.join(" ", List.of(args)))
        .append("\n")
        .append(result.out())
        .append(result.err())
        .append("(exit ")
        .append(result.exitCode())
        .append(")\n\n");
    assertThat(result.all()).as("the password never appears").doesNotContain(CANARY);
    return result;
  }

  @Test
  void listFindsEverySubscriptionAndShowsWhatOnlyTheManagementApiKnows() throws Exception {
    try (Scene scene = new Scene(node.uri())) {
      String shipping = scene.subscription("shipping");
      String billing = scene.subscription("billing");
      EventBus shippingBus = scene.bus(shipping, new Flaky(), 2);
      shippingBus.publishAndWait(new OrderPlaced("o-1"));
      shippingBus.publishAndWait(new PaymentFailed("o-2", 4200));
      EventBus billingBus = scene.bus(billing, new Flaky(), 1, Duration.ofMinutes(10));
      billingBus.publishAndWait(new PaymentFailed("o-3", 990));
      // Both subscriptions take payments: shipping parks o-3 too.
      scene.awaitParked(shipping, 3);
      scene.awaitCount(scene.topology.retryQueue(billing, Duration.ofMinutes(10)), 1);

      awaitFigures(scene, shipping, billing);
      CliProcess.Result list = cli(scene, "list");
      assertThat(list.exitCode()).as(list.toString()).isZero();
      assertThat(list.out()).contains(shipping, billing);
      CliProcess.Result json = cli(scene, "list", "--json");
      Map<String, JsonNode> rows =
          json.json().stream()
              .collect(Collectors.toMap(row -> row.get("subscription").asText(), row -> row));
      assertThat(rows).containsOnlyKeys(shipping, billing);
      assertThat(rows.get(shipping).get("consumers").asLong()).isEqualTo(2);
      assertThat(rows.get(shipping).get("unacked").asLong()).isZero();
      assertThat(rows.get(shipping).get("deadLettered").asLong()).isEqualTo(3);
      assertThat(rows.get(shipping).get("oldestDeadLetter").isTextual()).isTrue();
      assertThat(rows.get(shipping).get("oldestDeadLetterAgeSeconds").isNumber()).isTrue();
      assertThat(rows.get(shipping).get("oldestDeadLetterAgeSeconds").asLong()).isBetween(0L, 60L);
      assertThat(rows.get(billing).get("retrying").asLong()).isEqualTo(1);
      assertThat(rows.get(billing).get("deadLettered").asLong()).isZero();

      CliProcess.Result show = cli(scene, "show", shipping);
      assertThat(show.exitCode()).isZero();
      CliProcess.Result dryRun =
          cli(scene, "replay", shipping, "--type", "cli.order.placed.v1", "--dry-run");
      assertThat(dryRun.out()).contains("Would replay 1 event from");
      CliProcess.Result export =
          cli(scene, "export", shipping, "-o", folder.resolve("shipping.jsonl").toString());
      assertThat(export.exitCode()).isZero();
      assertThat(CliProcess.readFile(folder.resolve("shipping.jsonl"))).doesNotContain(CANARY);

      CliProcess.Result first = cli(scene, "show", shipping, "--json", "--limit", "1");
      String firstId = first.json().get(0).get("id").asText();
      CliProcess.Result declined = cli(true, "no", scene, "discard", shipping, "--id", firstId);
      assertThat(declined.exitCode()).isEqualTo(ExitCodes.NOT_CONFIRMED);
      CliProcess.Result discarded = cli(true, "yes", scene, "discard", shipping, "--id", firstId);
      assertThat(discarded.exitCode()).isZero();
      CliProcess.Result replayed =
          cli(scene, "replay", shipping, "--error-type", "java.lang.IllegalStateException");
      assertThat(replayed.exitCode()).isZero();
      assertThat(replayed.out()).contains("Replayed 2 of 2");
      CliProcess.Result nothing = cli(scene, "replay", shipping, "--type", "cli.refund.issued.v1");
      assertThat(nothing.exitCode()).isEqualTo(ExitCodes.NOTHING_MATCHED);
      assertThat(cli(scene, "show", "no-such-subscription").exitCode())
          .isEqualTo(ExitCodes.NOTHING_MATCHED);

      shippingBus.close();
      scene.publisher().publishAndWait(new OrderPlaced("o-4"));
      JsonNode waiting = awaitReady(scene, shipping);
      assertThat(waiting.get("consumers").asLong()).isZero();
      assertThat(waiting.get("oldestReady").isNull())
          .as("RabbitMQ 3.10 reports no head_message_timestamp for quorum queues")
          .isTrue();
      cli(scene, "list", shipping);

      // A full queue refuses the replayed copies: they stay parked and the exit code says so.
      node.rabbitmqctl(
          "set_policy",
          "full",
          "^" + shipping + "$",
          "{\"max-length\":1,\"overflow\":\"reject-publish\"}",
          "--apply-to",
          "queues");
      long parkedBefore = scene.messageCount(scene.topology.deadLetterQueue(shipping));
      CliProcess.Result refused = cli(scene, "replay", shipping, "--all", "--json");
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.PARTIAL);
      JsonNode summary = refused.json().get(0);
      // A quorum queue applies its length limit approximately: one copy may still get in.
      assertThat(summary.get("failed").asInt()).isPositive();
      assertThat(summary.get("replayed").asInt() + summary.get("failed").asInt())
          .isEqualTo(summary.get("matched").asInt())
          .isEqualTo((int) parkedBefore);
      assertThat(scene.messageCount(scene.topology.deadLetterQueue(shipping)))
          .as("the refused ones are still parked")
          .isEqualTo(summary.get("failed").asLong());
      node.rabbitmqctl("clear_policy", "full");
    }
  }

  /** Until the management API's samples show the parked and the retrying events. */
  private void awaitFigures(Scene scene, String shipping, String billing) {
    Await.until(
        Duration.ofSeconds(60),
        () ->
            cli(false, scene, "list", "--json").json().stream()
                .collect(Collectors.toMap(row -> row.get("subscription").asText(), row -> row)),
        rows ->
            rows.containsKey(shipping)
                && rows.get(shipping).get("deadLettered").asLong() == 3
                && rows.get(shipping).get("consumers").asLong() == 2
                && rows.containsKey(billing)
                && rows.get(billing).get("retrying").asLong() == 1,
        "3 parked and 2 consumers in " + shipping + ", 1 retrying in " + billing);
  }

  /** Until the management API's samples show a ready message in {@code subscription}. */
  private JsonNode awaitReady(Scene scene, String subscription) {
    return Await.until(
        Duration.ofSeconds(60),
        () -> cli(false, scene, "list", subscription, "--json").json().get(0),
        row -> row.get("ready").asLong() == 1,
        "a ready message in " + subscription);
  }

  @Test
  void aManagementApiThatRefusesTheCredentialsIsAConnectionFailure() throws Exception {
    Path wrong = Files.writeString(folder.resolve("wrong.password"), "not-" + CANARY);
    CliProcess.Result refused =
        CliProcess.run(
            Map.of(
                "EVENTBUS_URI",
                "amqp://127.0.0.1:" + node.port(),
                "EVENTBUS_MANAGEMENT_URL",
                node.managementUrl()),
            "",
            List.of("list", "--username", "ops", "--password-file", wrong.toString()));

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(refused.all()).doesNotContain(CANARY);
  }
}
