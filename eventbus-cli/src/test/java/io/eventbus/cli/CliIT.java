package io.eventbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import io.eventbus.EventBus;
import io.eventbus.cli.Scene.Flaky;
import io.eventbus.cli.Scene.OrderPlaced;
import io.eventbus.cli.Scene.PaymentFailed;
import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.testkit.Await;
import io.eventbus.testkit.broker.Broker;
import io.eventbus.testkit.junit5.EventBusExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command-line tool, run as a process against the real broker, its output parsed:
 * every command, the exit codes, and two operators replaying at once.
 */
class CliIT {
  @RegisterExtension static final EventBusExtension BROKER = EventBusExtension.broker();

  private Scene scene;
  private Map<String, String> environment;

  @BeforeAll
  static void jar() {
    CliProcess.requireJar();
  }

  @BeforeEach
  void openScene(Broker broker) throws Exception {
    scene = new Scene(broker.uri());
    environment = Map.of("EVENTBUS_URI", broker.uri());
  }

  @AfterEach
  void closeScene() throws Exception {
    scene.close();
  }

  private CliProcess.Result cli(String... args) {
    return cliWithInput("", args);
  }

  private CliProcess.Result cliWithInput(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--exchange");
    all.add(scene.exchange);
    return CliProcess.run(environment, stdin, all);
  }

  /** Parks two payments and one order in a fresh subscription; returns their ids in order. */
  private List<String> parkThree(String subscription, Flaky handlers) throws Exception {
    EventBus bus = scene.bus(subscription, handlers, 1);
    List<String> ids = new ArrayList<>();
    ids.add(bus.publishAndWait(new PaymentFailed("o-1", 100)).eventId());
    ids.add(bus.publishAndWait(new OrderPlaced("o-2")).eventId());
    ids.add(bus.publishAndWait(new PaymentFailed("o-3", 300)).eventId());
    scene.awaitParked(subscription, 3);
    return ids;
  }

  @Test
  void listShowsQueueDepthConsumersDeadLettersAndTheAgeOfTheOldest() throws Exception {
    String shipping = scene.subscription("shipping");
    Instant before = Instant.now();
    EventBus bus = scene.bus(shipping, new Flaky(), 2);
    bus.publishAndWait(new PaymentFailed("o-1", 1));
    bus.publishAndWait(new OrderPlaced("o-2"));
    scene.awaitParked(shipping, 2);

    CliProcess.Result running = cli("list", shipping, "--json");
    assertThat(running.exitCode()).as(running.toString()).isZero();
    JsonNode row = running.json().get(0);
    assertThat(row.get("subscription").asText()).isEqualTo(shipping);
    assertThat(row.get("found").asBoolean()).isTrue();
    assertThat(row.get("consumers").asLong()).isEqualTo(2);
    assertThat(row.get("ready").asLong()).isZero();
    assertThat(row.get("deadLettered").asLong()).isEqualTo(2);
    assertThat(Instant.parse(row.get("oldestDeadLetter").asText()))
        .isAfterOrEqualTo(before.minusSeconds(1))
        .isBeforeOrEqualTo(Instant.now());
    assertThat(row.get("unacked").isNull()).as("needs the management API").isTrue();

    bus.close();
    EventBus publisher = scene.publisher();
    publisher.publishAndWait(new OrderPlaced("o-3"));
    publisher.publishAndWait(new OrderPlaced("o-4"));
    scene.awaitCount(shipping, 2);
    CliProcess.Result stopped = cli("list", shipping);
    assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
    List<String> lines = stopped.out().lines().toList();
    assertThat(lines.get(0)).startsWith("SUBSCRIPTION").contains("DEAD-LETTERED");
    assertThat(lines.get(1).split("\\s+"))
        .as(stopped.toString())
        .startsWith(shipping, "2", "-", "0", "-", "2");
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(shipping)))
        .as("list leaves the parked events where they are")
        .isEqualTo(2);
  }

  @Test
  void listReportsSubscriptionsItCannotFind() throws Exception {
    String present = scene.subscription("present");
    scene.bus(present, new Flaky(), 1);

    CliProcess.Result some = cli("list", present, "absent-" + present);
    assertThat(some.exitCode()).as(some.toString()).isEqualTo(ExitCodes.PARTIAL);
    assertThat(some.out()).contains("absent-" + present + "  not found");
    assertThat(cli("list", "absent-" + present).exitCode()).isEqualTo(ExitCodes.NOTHING_MATCHED);
    assertThat(cli("list").exitCode()).as("no names, no management API").isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void showListsParkedEventsWithTheirReasonsFilteredByTypeReasonAndTime() throws Exception {
    String billing = scene.subscription("billing");
    List<String> ids = parkThree(billing, new Flaky());

    CliProcess.Result all = cli("show", billing, "--json", "--headers");
    assertThat(all.exitCode()).as(all.toString()).isZero();
    List<JsonNode> events = all.json();
    assertThat(events).extracting(e -> e.get("id").asText()).containsExactlyElementsOf(ids);
    JsonNode first = events.get(0);
    assertThat(first.get("type").asText()).isEqualTo("cli.payment.failed.v1");
    assertThat(first.get("reason").asText()).isEqualTo("handler-failed");
    assertThat(first.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(first.get("errorMessage").asText()).isEqualTo("payment provider down");
    assertThat(first.get("attempts").asInt()).isEqualTo(1);
    assertThat(first.get("queue").asText()).isEqualTo(billing);
    assertThat(first.get("headers").get("cloudEvents:id").asText()).isEqualTo(ids.get(0));

    CliProcess.Result orders = cli("show", billing, "--type", "cli.order.placed.v1");
    assertThat(orders.exitCode()).isZero();
    assertThat(orders.out())
        .contains(ids.get(1), "UnsupportedOperationException: no warehouse for o-2")
        .doesNotContain(ids.get(0), ids.get(2));
    assertThat(orders.out().lines().findFirst().orElseThrow())
        .startsWith("PARKED AT")
        .contains("ID", "TYPE", "REASON", "ATTEMPTS", "ERROR");

    CliProcess.Result recent = cli("show", billing, "--since", "1h", "--reason", "handler-failed");
    assertThat(recent.exitCode()).isZero();
    assertThat(recent.out()).contains(ids.get(0), ids.get(1), ids.get(2));

    assertThat(cli("show", billing, "--until", "1h").exitCode())
        .as("parked within the hour: none parked before an hour ago")
        .isEqualTo(ExitCodes.NOTHING_MATCHED);
    assertThat(cli("show", billing, "--reason", "decoding-failed").exitCode())
        .isEqualTo(ExitCodes.NOTHING_MATCHED);
    assertThat(cli("show", billing, "--limit", "1", "--json").json()).hasSize(1);
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isEqualTo(3);
  }

  @Test
  void replaySendsTheSelectedEventsIntoTheirOwnQueueOnlyAndNothingElse() throws Exception {
    String billing = scene.subscription("billing");
    String audit = scene.subscription("audit");
    Flaky billingHandlers = new Flaky();
    List<String> ids = parkThree(billing, billingHandlers);
    Flaky auditHandlers = new Flaky();
    auditHandlers.broken.set(false);
    scene.bus(audit, auditHandlers, 1);
    billingHandlers.broken.set(false);

    assertThat(cli("replay", billing).exitCode()).as("no selection").isEqualTo(ExitCodes.USAGE);
    CliProcess.Result dryRun =
        cli("replay", billing, "--type", "cli.payment.failed.v1", "--dry-run");
    assertThat(dryRun.exitCode()).isZero();
    assertThat(dryRun.out()).contains("Would replay 2 events");
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isEqualTo(3);

    CliProcess.Result replay = cli("replay", billing, "--type", "cli.payment.failed.v1", "--json");
    assertThat(replay.exitCode()).as(replay.toString()).isZero();
    JsonNode summary = replay.json().get(0);
    assertThat(summary.get("matched").asInt()).isEqualTo(2);
    assertThat(summary.get("replayed").asInt()).isEqualTo(2);
    assertThat(summary.get("failed").asInt()).isZero();

    awaitHandled(billingHandlers, Set.of(ids.get(0), ids.get(2)));
    assertThat(scene.deadLetters(billing).peek(10))
        .extracting(ParkedEvent::eventId)
        .containsExactly(ids.get(1));
    assertThat(auditHandlers.handled).as("the audit subscription never saw a replay").isEmpty();
    assertThat(cli("replay", billing, "--type", "cli.payment.failed.v1").exitCode())
        .isEqualTo(ExitCodes.NOTHING_MATCHED);
  }

  @Test
  void discardShowsTheEventsAndAsksBeforeRemovingThem() throws Exception {
    String billing = scene.subscription("billing");
    List<String> ids = parkThree(billing, new Flaky());

    CliProcess.Result declined = cliWithInput("no\n", "discard", billing, "--id", ids.get(1));
    assertThat(declined.exitCode()).as(declined.toString()).isEqualTo(ExitCodes.NOT_CONFIRMED);
    assertThat(declined.out()).contains(ids.get(1));
    assertThat(declined.out()).contains("Discard this event", "Type 'yes'");
    assertThat(declined.err()).contains("nothing was discarded");
    assertThat(cli("discard", billing, "--id", ids.get(1)).exitCode())
        .as("no answer at all")
        .isEqualTo(ExitCodes.NOT_CONFIRMED);
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isEqualTo(3);

    CliProcess.Result confirmed = cliWithInput("yes\n", "discard", billing, "--id", ids.get(1));
    assertThat(confirmed.exitCode()).as(confirmed.toString()).isZero();
    assertThat(confirmed.out()).contains("Discarded 1 of 1 event from");

    CliProcess.Result forced =
        cli("discard", billing, "--type", "cli.payment.failed.v1", "--yes", "--json");
    assertThat(forced.exitCode()).isZero();
    assertThat(forced.json())
        .last()
        .satisfies(s -> assertThat(s.get("discarded").asInt()).isEqualTo(2));
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isZero();
  }

  @Test
  void exportWritesTheEventsWithTheirDataToAFileOnlyItsOwnerCanRead(@TempDir Path folder)
      throws Exception {
    String billing = scene.subscription("billing");
    List<String> ids = parkThree(billing, new Flaky());
    Path file = folder.resolve("parked.jsonl");

    CliProcess.Result export =
        cli("export", billing, "--reason", "handler-failed", "-o", file.toString());
    assertThat(export.exitCode()).as(export.toString()).isZero();
    assertThat(export.out()).contains("Exported 3 events");
    List<JsonNode> lines = new CliProcess.Result(0, CliProcess.readFile(file), "").json();
    assertThat(lines).extracting(l -> l.get("id").asText()).containsExactlyElementsOf(ids);
    assertThat(lines.get(0).get("data").get("orderId").asText()).isEqualTo("o-1");
    assertThat(lines.get(0).get("data").get("amountCents").asLong()).isEqualTo(100);
    assertThat(lines.get(0).get("headers").get("eventbus-error-message").asText())
        .isEqualTo("payment provider down");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isEqualTo(3);

    assertThat(cli("export", billing, "-o", file.toString()).exitCode())
        .as("an existing file is not replaced without --force")
        .isEqualTo(ExitCodes.USAGE);
    assertThat(
            cli("export", billing, "--type", "none.v1", "-o", folder.resolve("x").toString())
                .exitCode())
        .isEqualTo(ExitCodes.NOTHING_MATCHED);
    assertThat(folder.resolve("x")).doesNotExist();
  }

  @Test
  void aReplayWhileAnotherOperatorHoldsTheQueueChangesNothing() throws Exception {
    String billing = scene.subscription("billing");
    parkThree(billing, new Flaky());
    try (Channel other = scene.admin().createChannel()) {
      // Another operator's lock: the exclusive queue a dead-letter operation holds.
      other.queueDeclare(
          scene.topology.deadLetterQueue(billing) + ".lock", false, true, true, null);

      CliProcess.Result busy = cli("replay", billing, "--all");
      assertThat(busy.exitCode()).as(busy.toString()).isEqualTo(ExitCodes.BUSY);
      assertThat(busy.err()).contains("another operation", billing + ".dlq.lock");
      assertThat(cli("show", billing).exitCode()).isEqualTo(ExitCodes.BUSY);
      CliProcess.Result list = cli("list", billing);
      assertThat(list.exitCode()).isZero();
      assertThat(list.out()).contains("busy");
      other.queueDelete(scene.topology.deadLetterQueue(billing) + ".lock");
    }
    assertThat(scene.messageCount(billing)).isZero();
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isEqualTo(3);
    assertThat(cli("replay", billing, "--all").exitCode()).as("released").isZero();
  }

  @Test
  void twoOperatorsReplayingAtOnceNeverReplayAnEventTwice() throws Exception {
    String billing = scene.subscription("billing");
    Flaky handlers = new Flaky();
    EventBus bus = scene.bus(billing, handlers, 4);
    int count = 400;
    List<io.eventbus.PublishReceipt> receipts =
        bus.publishAll(
                Stream.<Object>generate(() -> new PaymentFailed("o", 1)).limit(count).toList())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    Set<String> ids =
        receipts.stream().map(io.eventbus.PublishReceipt::eventId).collect(Collectors.toSet());
    scene.awaitParked(billing, count);
    bus.close();

    List<String> args = List.of("replay", billing, "--all", "--json", "--exchange", scene.exchange);
    Process first = CliProcess.start(environment, "", args);
    Process second = CliProcess.start(environment, "", args);
    List<CliProcess.Result> results = List.of(CliProcess.finish(first), CliProcess.finish(second));

    int replayed = 0;
    for (CliProcess.Result result : results) {
      assertThat(result.exitCode())
          .as(result.toString())
          .isIn(ExitCodes.OK, ExitCodes.BUSY, ExitCodes.NOTHING_MATCHED);
      if (result.exitCode() == ExitCodes.OK) {
        replayed += result.json().get(0).get("replayed").asInt();
      }
    }
    assertThat(replayed).isEqualTo(count);
    List<String> queued = scene.drainIds(billing);
    assertThat(queued).hasSize(count).doesNotHaveDuplicates();
    assertThat(new HashSet<>(queued)).isEqualTo(ids);
    assertThat(scene.messageCount(scene.topology.deadLetterQueue(billing))).isZero();
  }

  @Test
  void failuresEndWithTheirOwnExitCodesAndNeverShowThePassword() throws Exception {
    String canary = "canary-" + java.util.UUID.randomUUID();
    String billing = scene.subscription("billing");
    parkThree(billing, new Flaky());

    CliProcess.Result usage = cli("show", billing, "--frobnicate");
    assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.err()).contains("--frobnicate");
    assertThat(cli("show", billing, "--since", "yesterday-ish").exitCode())
        .isEqualTo(ExitCodes.USAGE);

    CliProcess.Result unreachable =
        CliProcess.run(
            Map.of("EVENTBUS_URI", "amqp://guest:" + canary + "@127.0.0.1:1"),
            "",
            List.of("show", billing));
    assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(unreachable.err()).contains("amqp://guest@127.0.0.1:1");

    String host = java.net.URI.create(scene.uri).getHost();
    int port = java.net.URI.create(scene.uri).getPort();
    CliProcess.Result refused =
        CliProcess.run(
            Map.of("EVENTBUS_URI", "amqp://guest:" + canary + "@" + host + ":" + port),
            "",
            List.of("list", billing));
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.CONNECTION);
    assertThat(refused.err()).contains("ACCESS_REFUSED");

    Path passwordFile = Files.createTempFile("eventbus-cli-it", ".secret");
    try {
      Files.writeString(passwordFile, canary + "\n");
      CliProcess.Result viaFile =
          CliProcess.run(
              Map.of("EVENTBUS_URI", "amqp://" + host + ":" + port),
              "",
              List.of(
                  "show",
                  billing,
                  "--username",
                  "guest",
                  "--password-file",
                  passwordFile.toString()));
      assertThat(viaFile.exitCode()).as(viaFile.toString()).isEqualTo(ExitCodes.CONNECTION);
      for (CliProcess.Result result : List.of(usage, unreachable, refused, viaFile)) {
        assertThat(result.all()).doesNotContain(canary);
      }
    } finally {
      Files.delete(passwordFile);
    }
    assertThat(cli("show", "no-such-subscription").exitCode()).isEqualTo(ExitCodes.NOTHING_MATCHED);
  }

  private static void awaitHandled(Flaky handlers, Set<String> ids) {
    Await.until(
        Scene.WAIT, () -> handlers.handled.containsAll(ids), ids.size() + " events handled");
  }
}
