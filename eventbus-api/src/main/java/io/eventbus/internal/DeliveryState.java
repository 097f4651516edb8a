package io.eventbus.internal;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.internal.ConsumerTelemetry.Names;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.spi.InboundMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery's state while its pipeline runs: its history, the attempts that failed in it, and
 * how it was settled, which this class makes happen exactly once.
 *
 * <p>Confined to the delivery's thread: the retry link runs attempts one after another on it.
 */
final class DeliveryState {
  private static final Logger log = LoggerFactory.getLogger(DeliveryState.class);

  private final InboundMessage inbound;
  private final DeliveryHistory history;
  private boolean settled;
  private Outcome outcome = Outcome.UNSETTLED;
  private @Nullable Throwable failure;
  private @Nullable Names names;
  private int attemptsRun;
  private int lastFailedAttempt;
  private @Nullable Instant firstFailureHere;
  private @Nullable Instant lastFailureHere;
  private @Nullable String rejection;
  private @Nullable Instant deadline;
  private @Nullable Object reply;

  DeliveryState(InboundMessage inbound, Clock clock) {
    this.inbound = inbound;
    this.history = DeliveryHistory.read(inbound, clock);
  }

  InboundMessage inbound() {
    return inbound;
  }

  DeliveryHistory history() {
    return history;
  }

  /** The first attempt number of this delivery. */
  int firstAttempt() {
    return history.attemptsBefore() + 1;
  }

  /** Acknowledges the delivery unless it is settled already. */
  void ack() {
    if (!settled) {
      settled = true;
      outcome = Outcome.ACK;
      inbound.ack();
    }
  }

  /** Returns the delivery to its queue unless it is settled already. */
  void requeue() {
    if (!settled) {
      settled = true;
      outcome = Outcome.REQUEUE;
      inbound.requeue();
    }
  }

  /**
   * Gives the delivery back to its queue for later, with {@code headers} (see {@link
   * InboundMessage#defer}), unless it is settled already; requeues it if that fails.
   */
  void defer(Map<String, String> headers) {
    if (settled) {
      return;
    }
    settled = true;
    outcome = Outcome.DEFER;
    try {
      inbound.defer(headers);
    } catch (RuntimeException e) {
      log.warn(
          "A delivery could not be given back for later; returning it to the queue: {}",
          e.toString());
      requeueInstead();
    }
  }

  /**
   * Claims the settlement for a failure step ({@code outcome} caused by {@code failure}); false if
   * the delivery is settled already, and then the step must not run.
   */
  boolean claim(Outcome outcome, Throwable failure) {
    if (settled) {
      return false;
    }
    settled = true;
    this.outcome = outcome;
    this.failure = failure;
    return true;
  }

  /** After a claimed failure step threw: returns the delivery to its queue instead. */
  void requeueInstead() {
    outcome = Outcome.REQUEUE;
    inbound.requeue();
  }

  /**
   * Records that the decode link itself refused the message, with the dead-letter category of its
   * refusal ({@code decoding-failed}, {@code unknown-type}, {@code too-large}). Failures not marked
   * this way are the handler's: an exception thrown further in, even one of the same type (a
   * handler's own failed publish of an unregistered class), is {@code handler-failed}.
   */
  void rejected(String category) {
    rejection = category;
  }

  /** The category the decode link marked, or null if the message was not refused by it. */
  @Nullable String rejection() {
    return rejection;
  }

  /**
   * Settles a request by acknowledging it, recording how it was answered ({@code outcome}) and the
   * failure it reported, unless it is settled already.
   */
  void answered(Outcome outcome, @Nullable Throwable failure) {
    if (!settled) {
      settled = true;
      this.outcome = outcome;
      this.failure = failure;
      inbound.ack();
    }
  }

  /** Whether the delivery is settled already. */
  boolean settled() {
    return settled;
  }

  /** A request's deadline, as its reply link read it; null for none (or for an event). */
  @Nullable Instant deadline() {
    return deadline;
  }

  void deadline(@Nullable Instant deadline) {
    this.deadline = deadline;
  }

  /** The responder's reply, once it returned one; null before. */
  @Nullable Object reply() {
    return reply;
  }

  void reply(Object reply) {
    this.reply = reply;
  }

  Outcome outcome() {
    return outcome;
  }

  @Nullable Throwable failure() {
    return failure;
  }

  /** Records a failure that escaped the links that settle (seen by tracing). */
  void escaped(Throwable failure) {
    this.failure = failure;
  }

  /** Counts one in-process attempt started. */
  void attemptStarted() {
    attemptsRun++;
  }

  /** In-process attempts started in this delivery. */
  int attemptsRun() {
    return attemptsRun;
  }

  /** Records that attempt number {@code attempt} failed {@code at}. */
  void failed(int attempt, Instant at) {
    lastFailedAttempt = Math.max(lastFailedAttempt, attempt);
    if (firstFailureHere == null) {
      firstFailureHere = at;
    }
    lastFailureHere = at;
  }

  /** Attempts so far, the failing one included: at least this delivery's first. */
  int attempts() {
    return Math.max(lastFailedAttempt, firstAttempt());
  }

  /** When the first attempt failed: in an earlier delivery, in this one, or {@code now}. */
  Instant firstFailure(Instant now) {
    Instant before = history.firstFailure();
    if (before != null) {
      return before;
    }
    return firstFailureHere != null ? firstFailureHere : now;
  }

  /** Whether an attempt failed in this delivery. */
  boolean failedHere() {
    return firstFailureHere != null;
  }

  /** When the last attempt failed, or {@code now} if none did in this delivery. */
  Instant lastFailure(Instant now) {
    return lastFailureHere != null ? lastFailureHere : now;
  }

  /** The telemetry names of this delivery's type, looked up once. */
  Names names(ConsumerTelemetry telemetry) {
    Names found = names;
    if (found == null) {
      found = telemetry.names(CloudEventsAttributes.attribute(inbound.message().headers(), "type"));
      names = found;
    }
    return found;
  }
}
