package io.eventbus.cli;

import io.eventbus.rabbitmq.ParkedEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Which parked events a command works on. Filters of different kinds must all match; several values
 * of one kind (two {@code --type}s) match any of them.
 */
final class Selection {
  @Option(
      names = "--id",
      paramLabel = "ID",
      description = "Only the event with this id (repeatable).")
  List<String> ids = new ArrayList<>();

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only events of this type, such as order.placed.v1 (repeatable).")
  List<String> types = new ArrayList<>();

  @Option(
      names = "--reason",
      paramLabel = "REASON",
      description =
          "Only events parked for this reason: handler-failed, decoding-failed, unknown-type, or"
              + " broker (the queue's delivery limit) (repeatable).")
  List<String> reasons = new ArrayList<>();

  @Option(
      names = "--error-type",
      paramLabel = "CLASS",
      description =
          "Only events whose last failure was this exception class, such as"
              + " java.net.SocketTimeoutException (repeatable).")
  List<String> errorTypes = new ArrayList<>();

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Only events parked at or after TIME: 2026-03-01T12:00:00Z, or an age such as 2h.")
  @Nullable String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Only events parked before TIME (same forms as --since).")
  @Nullable String until;

  /** Whether any filter was given. */
  boolean filtered() {
    return !ids.isEmpty()
        || !types.isEmpty()
        || !reasons.isEmpty()
        || !errorTypes.isEmpty()
        || since != null
        || until != null;
  }

  /** The filters as one predicate; times relative to {@code clock}'s now. */
  Predicate<ParkedEvent> predicate(Clock clock) {
    Instant now = clock.instant();
    Instant from;
    Instant to;
    try {
      from = since == null ? null : Durations.instant(since, now);
      to = until == null ? null : Durations.instant(until, now);
    } catch (picocli.CommandLine.TypeConversionException e) {
      throw new CliException(ExitCodes.USAGE, "--since/--until: " + e.getMessage());
    }
    Set<String> idSet = new LinkedHashSet<>(ids);
    return parked ->
        (idSet.isEmpty() || idSet.contains(parked.eventId()))
            && (types.isEmpty() || types.contains(parked.eventType()))
            && (reasons.isEmpty() || reasons.contains(parked.reason()))
            && (errorTypes.isEmpty() || errorTypes.contains(parked.errorType()))
            && (from == null || (parkedAt(parked) != null && !parkedAt(parked).isBefore(from)))
            && (to == null || (parkedAt(parked) != null && parkedAt(parked).isBefore(to)));
  }

  /** When the event was parked: its last failure. */
  static @Nullable Instant parkedAt(ParkedEvent parked) {
    return parked.lastFailure();
  }
}
