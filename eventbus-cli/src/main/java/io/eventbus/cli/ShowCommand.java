package io.eventbus.cli;

import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "show",
    description =
        "Show the events parked in a subscription's dead-letter queue, oldest first, with why they"
            + " were parked. They stay parked.")
final class ShowCommand extends BrokerCommand {
  @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription's name.")
  String subscription;

  @Mixin Selection selection;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "Show at most N events (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--headers", description = "With --json: every header of each event too.")
  boolean headers;

  @Override
  int run(Session session, Output output) {
    if (limit < 1) {
      throw new CliException(ExitCodes.USAGE, "--limit must be at least 1");
    }
    RabbitDeadLetters parked = session.deadLetters(subscription);
    List<ParkedEvent> events = parked.peek(limit, selection.predicate(clock));
    if (output.json()) {
      events.forEach(event -> output.jsonLine(ParkedEvents.json(event, headers)));
    } else if (!events.isEmpty()) {
      output.table(ParkedEvents.COLUMNS, events.stream().map(ParkedEvents::row).toList(), 80);
    }
    if (events.isEmpty()) {
      output.note("No parked event in " + parked.queue() + " matches.");
      return ExitCodes.NOTHING_MATCHED;
    }
    output.note(
        events.size()
            + (events.size() == limit ? " shown (--limit reached)" : " shown")
            + " of "
            + parked.count()
            + " parked in "
            + parked.queue()
            + ".");
    return ExitCodes.OK;
  }
}
