package io.eventbus.internal;

import io.eventbus.codec.CloudEventsAttributes;
import io.eventbus.internal.ConsumerTelemetry.Outcome;
import io.eventbus.middleware.DeliveryContext;
import io.eventbus.middleware.Middleware.Chain;
import io.eventbus.spi.DeadLetterReason;
import io.eventbus.spi.SafeText;
import io.opentelemetry.api.trace.Span;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a delivery by the one rule of the pipeline (the {@code DEAD_LETTER} stage, and the
 * pipeline's outermost guard): settle exactly once; acknowledge when the rest returns, park in the
 * dead-letter queue when it throws, requeue if parking fails; a {@link VirtualMachineError} (other
 * than a stack overflow) requeues and is rethrown.
 *
 * <p>The reason's category is the one the decode link marked when it refused the message, and
 * {@code handler-failed} for everything else, whatever the exception's type. Log lines name the
 * failure with {@link SafeText}: escaped, capped, no stack trace (it is in the parked copy).
 */
final class DeadLetterLink implements Link {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterLink.class);

  /** The part of the pipeline a settlement wraps. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  private final String subscription;
  private final Clock clock;
  private final @Nullable ConsumerTelemetry telemetry;

  DeadLetterLink(String subscription, Clock clock, @Nullable ConsumerTelemetry telemetry) {
    this.subscription = subscription;
    this.clock = clock;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(DeliveryContext delivery, Chain next, DeliveryState state) {
    settle(state, () -> next.proceed(delivery));
  }

  /** Runs {@code body} and settles the delivery by its outcome, as the class comment says. */
  void settle(DeliveryState state, Body body) {
    try {
      body.run();
    } catch (Throwable failure) {
      if (failure instanceof VirtualMachineError error
          && !(failure instanceof StackOverflowError)) {
        state.requeue();
        throw error;
      }
      park(state, failure);
      if (failure instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    state.ack();
  }

  private void park(DeliveryState state, Throwable failure) {
    if (!state.claim(Outcome.DEAD_LETTER, failure)) {
      return;
    }
    Map<String, String> headers = state.inbound().message().headers();
    @Nullable String id = CloudEventsAttributes.attribute(headers, "id");
    @Nullable String type = CloudEventsAttributes.attribute(headers, "type");
    Instant now = clock.instant();
    int attempts = state.attempts();
    Span step =
        telemetry == null
            ? null
            : telemetry.startSettle(
                state.names(telemetry), MessagingAttributes.NAME_DEAD_LETTER, failure, attempts);
    try {
      String rejection = state.rejection();
      DeadLetterReason reason =
          DeadLetterReason.of(
              rejection != null ? rejection : DeadLetterReason.CATEGORY_HANDLER_FAILED,
              failure,
              subscription,
              attempts,
              state.firstFailure(now),
              state.lastFailure(now));
      if (step != null) {
        step.setAttribute(MessagingAttributes.DEAD_LETTER_REASON, reason.category());
      }
      state.inbound().deadLetter(reason);
      log.warn(
          "Event {} ({}) of subscription {} parked in the dead-letter queue ({}) after {}"
              + " attempt(s): {}",
          SafeText.of(id),
          SafeText.of(type),
          subscription,
          reason.category(),
          attempts,
          SafeText.message(failure));
    } catch (RuntimeException parkingFailed) {
      log.error(
          "Event {} ({}) of subscription {} could not be parked; returning it to the queue: {}",
          SafeText.of(id),
          SafeText.of(type),
          subscription,
          SafeText.message(parkingFailed));
      if (step != null) {
        step.recordException(parkingFailed);
      }
      state.requeueInstead();
    } finally {
      if (step != null) {
        step.end();
      }
    }
  }
}
