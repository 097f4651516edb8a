package io.eventbus.cli;

import io.eventbus.rabbitmq.DeadLettersBusyException;
import io.eventbus.rabbitmq.QueueStatus;
import io.eventbus.rabbitmq.RabbitTopology;
import io.eventbus.rabbitmq.TlsSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "list",
    description = {
      "Show subscriptions with their queue depth, consumers, dead-letter depth and the age of the"
          + " oldest dead letter.",
      "AMQP cannot list queues: name the subscriptions, or give --management-url to find every"
          + " subscription (a queue with a dead-letter queue beside it) and to add unacked,"
          + " retrying and oldest-ready figures.",
      "The oldest dead letter's age comes from the eventbus-last-failure-time headers of all"
          + " parked events (each dead-letter queue is read through once); subscription queues"
          + " are never read, since looking at a message there would count as a delivery."
    })
final class ListCommand extends BrokerCommand {
  static final List<String> COLUMNS =
      List.of(
          "SUBSCRIPTION",
          "READY",
          "UNACKED",
          "CONSUMERS",
          "RETRYING",
          "DEAD-LETTERED",
          "OLDEST DEAD LETTER",
          "OLDEST READY");

  @Parameters(
      arity = "0..*",
      paramLabel = "SUBSCRIPTION",
      description = "Subscriptions to show (all that the management API finds when none).")
  List<String> subscriptions = new ArrayList<>();

  /** One subscription's figures; null where the source cannot tell. */
  record Row(
      String subscription,
      boolean found,
      List<String> queues,
      long ready,
      @Nullable Long unacknowledged,
      long consumers,
      @Nullable Long retrying,
      long deadLettered,
      @Nullable Instant oldestDeadLetter,
      boolean deadLettersBusy,
      @Nullable Instant oldestReady) {}

  @Override
  int run(Session session, Output output) {
    BrokerOptions options = session.options();
    if (options.managementUrl == null && subscriptions.isEmpty()) {
      throw new CliException(
          ExitCodes.USAGE,
          "Name the subscriptions to list, or give --management-url to find them (AMQP cannot"
              + " list queues)");
    }
    List<Row> rows =
        options.managementUrl == null ? fromAmqp(session) : fromManagementApi(session, options);
    rows = rows.stream().map(row -> withOldestDeadLetter(session, row)).toList();
    Instant now = clock.instant();
    if (output.json()) {
      rows.forEach(row -> output.jsonLine(json(row, now)));
    } else if (!rows.isEmpty()) {
      output.table(COLUMNS, rows.stream().map(row -> cells(row, now)).toList(), 60);
    }
    long missing = rows.stream().filter(row -> !row.found()).count();
    if (rows.isEmpty()) {
      output.note("No subscription found.");
      return ExitCodes.NOTHING_MATCHED;
    }
    if (missing > 0) {
      output.error(missing + " of " + rows.size() + " subscriptions not found on the broker.");
      return missing == rows.size() ? ExitCodes.NOTHING_MATCHED : ExitCodes.PARTIAL;
    }
    return ExitCodes.OK;
  }

  private List<Row> fromAmqp(Session session) {
    RabbitTopology topology = session.topology();
    List<Row> rows = new ArrayList<>();
    for (String name : subscriptions) {
      List<QueueStatus> queues = new ArrayList<>();
      session.figures(name).ifPresent(queues::add);
      if (queues.isEmpty()) {
        for (int k = 0; k < topology.partitions(); k++) {
          session.figures(topology.partitionQueue(name, k)).ifPresent(queues::add);
        }
      }
      Optional<QueueStatus> dlq = session.figures(topology.deadLetterQueue(name));
      rows.add(
          new Row(
              name,
              !queues.isEmpty() || dlq.isPresent(),
              queues.stream().map(QueueStatus::queue).toList(),
              queues.stream().mapToLong(QueueStatus::ready).sum(),
              null,
              queues.stream().mapToLong(QueueStatus::consumers).sum(),
              null,
              dlq.map(QueueStatus::ready).orElse(0L),
              null,
              false,
              null));
    }
    return rows;
  }

  private List<Row> fromManagementApi(Session session, BrokerOptions options) {
    RabbitTopology topology = session.topology();
    String[] credentials = options.managementCredentials();
    TlsSettings tls = options.tls();
    ManagementApi api =
        new ManagementApi(
            options.managementUrl,
            credentials[0],
            credentials[1],
            options.timeout,
            tls == null ? null : tls.sslContext());
    Map<String, ManagementApi.Queue> byName = new LinkedHashMap<>();
    for (ManagementApi.Queue queue : api.queues(session.virtualHost())) {
      byName.put(queue.name(), queue);
    }
    List<String> names = subscriptions;
    if (names.isEmpty()) {
      TreeSet<String> found = new TreeSet<>();
      String suffix = topology.deadLetterSuffix();
      for (String queue : byName.keySet()) {
        if (queue.endsWith(suffix) && queue.length() > suffix.length()) {
          found.add(queue.substring(0, queue.length() - suffix.length()));
        }
      }
      names = List.copyOf(found);
    }
    List<Row> rows = new ArrayList<>();
    for (String name : names) {
      Pattern partition = Pattern.compile(Pattern.quote(name) + "\\.p\\d+");
      Pattern retry = Pattern.compile(Pattern.quote(name) + "\\.retry\\.\\d+");
      List<ManagementApi.Queue> queues = new ArrayList<>();
      long retrying = 0;
      for (ManagementApi.Queue queue : byName.values()) {
        if (queue.name().equals(name) || partition.matcher(queue.name()).matches()) {
          queues.add(queue);
        } else if (retry.matcher(queue.name()).matches()) {
          retrying += queue.messages();
        }
      }
      ManagementApi.Queue dlq = byName.get(topology.deadLetterQueue(name));
      rows.add(
          new Row(
              name,
              !queues.isEmpty() || dlq != null,
              queues.stream().map(ManagementApi.Queue::name).toList(),
              queues.stream().mapToLong(ManagementApi.Queue::ready).sum(),
              queues.stream().mapToLong(ManagementApi.Queue::unacknowledged).sum(),
              queues.stream().mapToLong(ManagementApi.Queue::consumers).sum(),
              retrying,
              dlq == null ? 0 : dlq.messages(),
              null,
              false,
              queues.stream()
                  .filter(queue -> queue.ready() > 0)
                  .map(ManagementApi.Queue::headMessageTimestamp)
                  .filter(java.util.Objects::nonNull)
                  .min(Instant::compareTo)
                  .orElse(null)));
    }
    return rows;
  }

  private Row withOldestDeadLetter(Session session, Row row) {
    if (row.deadLettered() == 0) {
      return row;
    }
    Instant[] oldest = {null};
    boolean busy = false;
    try {
      // Every parked event is read (none collected): after returns and concurrent parking, the
      // head of a quorum queue is not reliably the oldest.
      session
          .deadLetters(row.subscription())
          .peek(
              Integer.MAX_VALUE,
              parked -> {
                Instant at = Selection.parkedAt(parked);
                if (at != null && (oldest[0] == null || at.isBefore(oldest[0]))) {
                  oldest[0] = at;
                }
                return false;
              });
    } catch (DeadLettersBusyException e) {
      busy = true;
    }
    return new Row(
        row.subscription(),
        row.found(),
        row.queues(),
        row.ready(),
        row.unacknowledged(),
        row.consumers(),
        row.retrying(),
        row.deadLettered(),
        oldest[0],
        busy,
        row.oldestReady());
  }

  private static List<String> cells(Row row, Instant now) {
    if (!row.found()) {
      return List.of(row.subscription(), "not found", "", "", "", "", "", "");
    }
    return List.of(
        row.subscription(),
        Long.toString(row.ready()),
        text(row.unacknowledged()),
        Long.toString(row.consumers()),
        text(row.retrying()),
        Long.toString(row.deadLettered()),
        row.deadLettersBusy() ? "busy" : age(row.oldestDeadLetter(), now),
        age(row.oldestReady(), now));
  }

  private static Map<String, Object> json(Row row, Instant now) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("subscription", row.subscription());
    object.put("found", row.found());
    object.put("queues", row.queues());
    object.put("ready", row.ready());
    object.put("unacked", row.unacknowledged());
    object.put("consumers", row.consumers());
    object.put("retrying", row.retrying());
    object.put("deadLettered", row.deadLettered());
    object.put("oldestDeadLetter", instant(row.oldestDeadLetter()));
    object.put("oldestDeadLetterAgeSeconds", seconds(row.oldestDeadLetter(), now));
    object.put("deadLettersBusy", row.deadLettersBusy());
    object.put("oldestReady", instant(row.oldestReady()));
    object.put("oldestReadyAgeSeconds", seconds(row.oldestReady(), now));
    return object;
  }

  private static String text(@Nullable Long value) {
    return value == null ? "-" : value.toString();
  }

  private static String age(@Nullable Instant time, Instant now) {
    return time == null ? "-" : Durations.age(Duration.between(time, now));
  }

  private static @Nullable String instant(@Nullable Instant time) {
    return time == null ? null : time.toString();
  }

  private static @Nullable Long seconds(@Nullable Instant time, Instant now) {
    return time == null ? null : Math.max(0, Duration.between(time, now).getSeconds());
  }
}
