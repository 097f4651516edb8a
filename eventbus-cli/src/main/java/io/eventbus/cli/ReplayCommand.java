package io.eventbus.cli;

import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "replay",
    description = {
      "Send parked events back into their own subscription's queue (never through the bus's"
          + " exchange, so no other subscription sees them again). Each copy is confirmed by the"
          + " broker before the parked message is removed; one that is not stays parked.",
      "Only one operator at a time works on a dead-letter queue: a second one exits with 5 and"
          + " changes nothing."
    })
final class ReplayCommand extends BrokerCommand {
  @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription's name.")
  String subscription;

  @Mixin Selection selection;

  @Option(names = "--all", description = "Replay every parked event (when no filter is given).")
  boolean all;

  @Option(names = "--dry-run", description = "Only show what would be replayed.")
  boolean dryRun;

  @Override
  int run(Session session, Output output) {
    if (!selection.filtered() && !all) {
      throw new CliException(
          ExitCodes.USAGE, "Say which events to replay (--id, --type, --reason, …) or --all");
    }
    RabbitDeadLetters parked = session.deadLetters(subscription);
    Predicate<ParkedEvent> filter = selection.predicate(clock);
    if (dryRun) {
      List<ParkedEvent> events = parked.peek(Integer.MAX_VALUE, filter);
      if (output.json()) {
        events.forEach(event -> output.jsonLine(ParkedEvents.json(event, false)));
      } else if (!events.isEmpty()) {
        output.table(ParkedEvents.COLUMNS, events.stream().map(ParkedEvents::row).toList(), 80);
      }
      output.note("Would replay " + Output.events(events.size()) + " from " + parked.queue() + ".");
      return events.isEmpty() ? ExitCodes.NOTHING_MATCHED : ExitCodes.OK;
    }
    AtomicInteger matched = new AtomicInteger();
    int replayed =
        parked.replay(
            event -> {
              boolean match = filter.test(event);
              if (match) {
                matched.incrementAndGet();
              }
              return match;
            });
    int failed = matched.get() - replayed;
    if (output.json()) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("subscription", subscription);
      summary.put("matched", matched.get());
      summary.put("replayed", replayed);
      summary.put("failed", failed);
      output.jsonLine(summary);
    } else if (matched.get() == 0) {
      output.note("No parked event in " + parked.queue() + " matches.");
    } else {
      output.note(
          "Replayed "
              + replayed
              + " of "
              + matched.get()
              + (matched.get() == 1 ? " matching event" : " matching events")
              + " from "
              + parked.queue()
              + " into their subscription's queue"
              + (failed > 0 ? "; " + failed + " not confirmed, left parked." : "."));
    }
    if (matched.get() == 0) {
      return ExitCodes.NOTHING_MATCHED;
    }
    return failed > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
  }
}
