package io.eventbus.cli;

import io.eventbus.rabbitmq.ParkedEvent;
import io.eventbus.rabbitmq.RabbitDeadLetters;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "discard",
    description = {
      "Remove parked events for good, after showing them and asking for confirmation (type"
          + " 'yes'; or --yes). Only the events shown are removed, even if more matching ones"
          + " are parked meanwhile. Export them first if they may be needed."
    })
final class DiscardCommand extends BrokerCommand {
  @Parameters(index = "0", paramLabel = "SUBSCRIPTION", description = "The subscription's name.")
  String subscription;

  @Mixin Selection selection;

  @Option(names = "--all", description = "Discard every parked event (when no filter is given).")
  boolean all;

  @Option(names = "--yes", description = "Do not ask: discard what matches.")
  boolean yes;

  /** Where the answer to the prompt comes from; standard input unless a test sets it. */
  BufferedReader answers;

  @Override
  int run(Session session, Output output) {
    if (!selection.filtered() && !all) {
      throw new CliException(
          ExitCodes.USAGE, "Say which events to discard (--id, --type, --reason, …) or --all");
    }
    RabbitDeadLetters parked = session.deadLetters(subscription);
    Predicate<ParkedEvent> filter = selection.predicate(clock);
    List<ParkedEvent> shown = parked.peek(Integer.MAX_VALUE, filter);
    if (shown.isEmpty()) {
      output.note("No parked event in " + parked.queue() + " matches.");
      return ExitCodes.NOTHING_MATCHED;
    }
    if (output.json()) {
      shown.forEach(event -> output.jsonLine(ParkedEvents.json(event, false)));
    } else {
      output.table(ParkedEvents.COLUMNS, shown.stream().map(ParkedEvents::row).toList(), 80);
    }
    if (!yes && !confirmed(output, shown.size(), parked.queue())) {
      output.error("Not confirmed; nothing was discarded.");
      return ExitCodes.NOT_CONFIRMED;
    }
    Set<String> ids =
        shown.stream()
            .map(ParkedEvent::eventId)
            .filter(java.util.Objects::nonNull)
            .collect(Collectors.toSet());
    boolean withoutIds = shown.stream().anyMatch(event -> event.eventId() == null);
    int discarded =
        parked.discard(
            event ->
                filter.test(event)
                    && (event.eventId() == null ? withoutIds : ids.contains(event.eventId())));
    if (output.json()) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("subscription", subscription);
      summary.put("shown", shown.size());
      summary.put("discarded", discarded);
      output.jsonLine(summary);
    } else {
      output.note(
          "Discarded "
              + discarded
              + " of "
              + Output.events(shown.size())
              + " from "
              + parked.queue()
              + (discarded < shown.size() ? " (the others were no longer parked)." : "."));
    }
    return discarded < shown.size() ? ExitCodes.PARTIAL : ExitCodes.OK;
  }

  private boolean confirmed(Output output, int count, String queue) {
    output.ask(
        "Discard "
            + (count == 1 ? "this event" : "these " + count + " events")
            + " from "
            + queue
            + " for good? Type 'yes': ");
    try {
      String answer = answers.readLine();
      if (System.console() == null) {
        // The answer came from a pipe, not typed: end the prompt's line ourselves.
        output.note("");
      }
      return answer != null && "yes".equalsIgnoreCase(answer.strip());
    } catch (IOException e) {
      return false;
    }
  }
}
